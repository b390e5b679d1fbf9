"""`modelcat import`: start or refresh a catalog from what public sources publish.

`models_dev` reads a checkout of the models.dev repository (with `grouping`, which
decides which provider ids name one model), `hf` reads a Hugging Face model card's
`model-index`; both read files through `sources` and return an `Imported`. `site`
merges that into a site, keeping editors' values (with `yamlfile` for comment-keeping
YAML), and `report` says what was done and what could not be.
"""
