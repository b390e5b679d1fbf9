"""Which provider ids name the same model: `us.anthropic.claude-sonnet-4-20250514-v1:0` at Amazon
Bedrock, `anthropic/claude-sonnet-4` at OpenRouter and `claude-sonnet-4-20250514` at Anthropic.

models.dev keys each listing by the id the provider's API uses, and each provider
writes ids its own way. The rules below are written by hand from the ids models.dev
holds (a library of model-name aliases does not exist); each strips one kind of
decoration and the report lists every group of ids they merged, so an editor can
check them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LABS = {
    "openai": "OpenAI", "anthropic": "Anthropic", "google": "Google", "meta": "Meta", "alibaba": "Alibaba",
    "deepseek": "DeepSeek", "mistral": "Mistral AI", "xai": "xAI", "zhipuai": "Z.ai", "moonshotai": "Moonshot AI",
    "minimax": "MiniMax", "cohere": "Cohere", "nvidia": "NVIDIA", "microsoft": "Microsoft", "amazon": "Amazon",
    "xiaomi": "Xiaomi", "perplexity": "Perplexity", "tencent": "Tencent", "stepfun": "StepFun", "sakana": "Sakana AI",
    "sarvam": "Sarvam AI", "deepreinforce": "DeepReinforce", "baidu": "Baidu", "bytedance": "ByteDance", "ibm": "IBM",
    "ai21": "AI21 Labs", "inclusionai": "inclusionAI", "inception": "Inception", "upstage": "Upstage",
    "poolside": "Poolside", "morph": "Morph", "nousresearch": "Nous Research", "arcee": "Arcee AI",
    "black-forest-labs": "Black Forest Labs", "stability": "Stability AI", "liquid": "Liquid AI", "allenai": "Ai2",
    "01-ai": "01.AI", "baichuan": "Baichuan", "writer": "Writer", "deepcogito": "Deep Cogito", "kuaishou": "Kuaishou",
    "baai": "BAAI", "nomic": "Nomic AI", "vercel": "Vercel", "voyage": "Voyage AI", "ideogram": "Ideogram",
    "elevenlabs": "ElevenLabs", "meituan": "Meituan", "inflection": "Inflection AI",
}
"""Developers by lab id (models.dev's `models/<lab>/` folder names, and more), with their names."""

ORGS = {
    "openai": "openai", "anthropic": "anthropic", "google": "google", "meta": "meta", "meta-llama": "meta",
    "qwen": "alibaba", "alibaba": "alibaba", "deepseek": "deepseek", "deepseek-ai": "deepseek",
    "mistral": "mistral", "mistralai": "mistral", "mistral-ai": "mistral", "xai": "xai", "x-ai": "xai",
    "zai": "zhipuai", "z-ai": "zhipuai", "zai-org": "zhipuai", "zhipuai": "zhipuai", "thudm": "zhipuai",
    "moonshotai": "moonshotai", "moonshot": "moonshotai", "minimax": "minimax", "minimaxai": "minimax",
    "cohere": "cohere", "coherelabs": "cohere", "nvidia": "nvidia", "microsoft": "microsoft", "amazon": "amazon",
    "xiaomi": "xiaomi", "xiaomimimo": "xiaomi", "perplexity": "perplexity", "tencent": "tencent",
    "stepfun": "stepfun", "stepfun-ai": "stepfun", "sakana": "sakana", "sakanaai": "sakana", "sarvam": "sarvam",
    "sarvamai": "sarvam", "deepreinforce": "deepreinforce", "deepreinforce-ai": "deepreinforce", "baidu": "baidu",
    "bytedance": "bytedance", "bytedance-seed": "bytedance", "ibm": "ibm", "ibm-granite": "ibm", "ai21": "ai21",
    "ai21labs": "ai21", "inclusionai": "inclusionai", "nousresearch": "nousresearch", "arcee-ai": "arcee",
    "black-forest-labs": "black-forest-labs", "bfl": "black-forest-labs", "stabilityai": "stability",
    "liquid": "liquid", "liquidai": "liquid", "allenai": "allenai", "01-ai": "01-ai", "baichuan-inc": "baichuan",
    "writer": "writer", "deepcogito": "deepcogito", "kwaipilot": "kuaishou", "klingai": "kuaishou", "baai": "baai",
    "nomic-ai": "nomic", "voyage": "voyage", "ideogram": "ideogram", "elevenlabs": "elevenlabs",
    "meituan": "meituan", "meituan-longcat": "meituan", "inflection": "inflection",
}
"""Organisation names in ids (`meta-llama/...`, `anthropic.claude-...`) -> lab id."""

_NAME_PREFIXES = (
    (r"claude", "anthropic"), (r"gpt|chatgpt|o\d|codex|dall-e|whisper|tts-\d|text-embedding|davinci|sora", "openai"),
    (r"gemini|gemma|imagen|veo|learnlm|medgemma", "google"), (r"llama", "meta"), (r"qwen|qwq|qvq|wan\d", "alibaba"),
    (r"glm|chatglm|cogview|cogvideo", "zhipuai"), (r"kimi|moonshot", "moonshotai"), (r"deepseek", "deepseek"),
    (r"grok", "xai"), (r"mistral|mixtral|codestral|magistral|devstral|ministral|pixtral|voxtral", "mistral"),
    (r"minimax|abab", "minimax"), (r"command|c4ai|aya|embed-?v", "cohere"), (r"nemotron", "nvidia"), (r"phi-?\d", "microsoft"),
    (r"mimo", "xiaomi"), (r"sonar", "perplexity"), (r"ernie", "baidu"), (r"doubao|seed-", "bytedance"),
    (r"hunyuan", "tencent"), (r"step-?\d", "stepfun"), (r"nova-|titan", "amazon"), (r"granite", "ibm"),
    (r"jamba", "ai21"), (r"hermes", "nousresearch"), (r"flux", "black-forest-labs"), (r"lfm", "liquid"),
    (r"olmo", "allenai"), (r"mercury", "inception"), (r"solar", "upstage"), (r"yi-", "01-ai"),
    (r"baichuan", "baichuan"), (r"palmyra", "writer"), (r"cogito", "deepcogito"), (r"kat-coder|kling", "kuaishou"),
    (r"ling-|ring-", "inclusionai"), (r"trinity", "arcee"), (r"bge-", "baai"), (r"gte-", "alibaba"),
    (r"nomic", "nomic"), (r"stable-diffusion|sd-?\d", "stability"), (r"hy-?\d", "tencent"), (r"v0", "vercel"),
    (r"voyage", "voyage"), (r"ideogram", "ideogram"), (r"eleven", "elevenlabs"), (r"longcat", "meituan"),
    (r"inflection", "inflection"),
)
_NAME_RE = [(re.compile(f"^(?:{pattern})"), lab) for pattern, lab in _NAME_PREFIXES]
"""Model-name prefixes -> lab id, for ids that name no organisation (`gpt-4o`, `claude-sonnet-4`)."""

PROVIDER_LABS = {
    "openai": "openai", "anthropic": "anthropic", "google": "google", "mistral": "mistral", "deepseek": "deepseek",
    "xai": "xai", "alibaba": "alibaba", "alibaba-cn": "alibaba", "moonshotai": "moonshotai",
    "moonshotai-cn": "moonshotai", "zai": "zhipuai", "zhipuai": "zhipuai", "minimax": "minimax",
    "minimax-cn": "minimax", "cohere": "cohere", "perplexity": "perplexity", "xiaomi": "xiaomi", "stepfun": "stepfun",
    "sakana": "sakana", "sarvam": "sarvam", "llama": "meta", "inception": "inception", "upstage": "upstage",
    "poolside": "poolside", "morph": "morph",
}
"""Providers that are a developer's own API, in order of preference: their price is the entry's `pricing`."""

NAMESPACES = {"models", "model", "route", "routers", "router", "tee", "accounts", "fireworks", "openrouter", "novita",
              "nanogpt", "workers-ai", "cf", "hf", "api", "v1", "chat", "latest", "free", "auto", "deployments",
              "inference", "library", "paid", "pro", "community", "custom", "private", "public"}
"""Path segments that are a provider's own namespace, not an organisation (`workers-ai/@cf/...`, `accounts/...`)."""

REGIONS = ("us-gov", "us", "eu", "apac", "ap", "au", "jp", "ca", "global")
"""Amazon Bedrock's cross-region prefixes (`us.anthropic...`); they become an offer's `region`."""

_REGION_RE = re.compile(r"^(" + "|".join(re.escape(r) for r in REGIONS) + r")\.")
_VENDOR_DOT_RE = re.compile(r"^([a-z0-9-]+)\.(?=[a-z])")
_COLON_RE = re.compile(r":[a-z0-9._-]*$")
_BEDROCK_VERSION_RE = re.compile(r"-v\d+$")
_BEDROCK_PINNED_RE = re.compile(r"-v?\d+$")
_DATE_RE = re.compile(r"[-@_](20\d\d)-?(0[1-9]|1[0-2])-?([0-3]\d)$")
_LATEST_RE = re.compile(r"-latest$")
_POINT_ZERO_RE = re.compile(r"(?<=\d)[-.]0$")
_QUANTISED_RE = re.compile(r"-(?:fp8|fp4|fp16|bf16|int4|int8|awq|gptq|gguf|mlx|nvfp4|mxfp4|w4a16|w8a8|[48]bit)$")
_SEPARATORS = re.compile(r"[\s._/:@+]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)")
_VENDOR_HYPHEN_ORGS = ("anthropic", "openai", "meta", "google", "amazon", "microsoft", "nvidia", "x-ai", "xai",
                       "alibaba", "alicloud", "azure", "databricks", "zai", "arcee", "cohere")
"""Organisations and platforms written before a model name with a hyphen (`anthropic-claude-3.5-sonnet`,
`azure-gpt-4o`); left out are those whose name starts their models' names (`mistral-large`, `deepseek-v3`)."""


@dataclass(frozen=True)
class ModelId:
    """What one provider id says once read: the model it names, its snapshot date and its decorations."""

    raw: str
    base: str
    """The model's key with every decoration removed: ids with equal bases name the same model."""
    date: str | None
    """The snapshot date the id pins (`20250514`), if any."""
    region: str | None
    org: str | None
    """The lab an organisation prefix names (`meta-llama/` -> meta), if any."""
    org_written: str | None = None
    """An organisation prefix the tables do not know, as written (`Sao10K/...`), if any."""


def read_id(raw: str) -> ModelId:
    """Return what a provider's model id names; see the module's docstring."""
    org: str | None = None
    segments = raw.lstrip("~").split("/")
    for segment in segments[:-1]:
        org = ORGS.get(segment.lower().lstrip("@~"), org)
    written = segments[-2] if len(segments) > 1 and org is None else None
    if written is not None and (written.lower().lstrip("@~") in NAMESPACES or not re.search("[a-zA-Z]", written)):
        written = None
    text = segments[-1].lower()
    region = None
    if match := _REGION_RE.match(text):
        region, text = match.group(1), text[match.end():]
    bedrock = False
    if (match := _VENDOR_DOT_RE.match(text)) and match.group(1) in ORGS:
        vendor, text, bedrock = match.group(1), text[match.end():], True
        org = ORGS[vendor]
    pinned = _COLON_RE.search(text) is not None
    text = _COLON_RE.sub("", text)
    if bedrock:  # Bedrock's own version: `-v1:0`, `-v1`, or `-1:0`
        text = (_BEDROCK_PINNED_RE if pinned else _BEDROCK_VERSION_RE).sub("", text)
        if lab_of_name(text) != org:  # `deepseek.v3`: the vendor is part of the name
            text = f"{vendor}-{text}"
    date = None
    if match := _DATE_RE.search(text):
        date, text = "".join(match.groups()), text[:match.start()]
    text = _LATEST_RE.sub("", text)
    text = _QUANTISED_RE.sub("", text)
    key = _SEPARATORS.sub("-", text).strip("-")
    key = re.sub(r"-{2,}", "-", key)
    for vendor in _VENDOR_HYPHEN_ORGS:
        if key.startswith(vendor + "-") and len(key) > len(vendor) + 1:
            org = org or ORGS.get(vendor)
            key = key[len(vendor) + 1:]
            break
    key = _POINT_ZERO_RE.sub("", key)
    key = _LETTER_DIGIT.sub("-", key)
    return ModelId(raw, key, date, region, org, written)


def lab_of_name(key: str) -> str | None:
    """Return the lab a model's name points to (`claude-...` -> anthropic), if one does."""
    compact = key.replace("-", "")
    for pattern, lab in _NAME_RE:
        if pattern.match(key) or pattern.match(compact):
            return lab
    return None


def slugify(text: str) -> str:
    """Return a slug ([a-z0-9-]+) for a model id or name; letters outside ASCII are spelt out (τ -> tau)."""
    return _ascii_words(text, "-")


def identifier(text: str) -> str:
    """Return an id ([a-z0-9_-], starting with a letter or digit) for a benchmark or variant name."""
    return _ascii_words(text.replace("-", " "), "_")


def _ascii_words(text: str, joiner: str) -> str:
    words: list[str] = []
    for char in unicodedata.normalize("NFKD", text.lower().replace("'", "").replace("’", "")):
        if char.isascii():
            words.append(char if char.isalnum() else " ")
        elif char.isalpha():
            name = unicodedata.name(char, "")
            words.append(" " + name.split()[-1].lower() + " " if name else " ")
    return joiner.join("".join(words).split())
