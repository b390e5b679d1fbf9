"""Every string from content is hostile: it must come out as inert text in every page and export."""

import json

from bs4 import BeautifulSoup

from conftest import run_cli

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
CLOSE = "</script><script>alert(2)</script>"
TEMPLATE = "{{ 7*7 }}{% raw %}"
MD = "[click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a> ![i](data:text/html,5)"
ATTR = "' onmouseover='alert(6)"
H = json.dumps(f"{XSS} {CLOSE} {TEMPLATE} {ATTR}")  # a YAML double-quoted scalar
M = json.dumps(f"{MD} {XSS} {TEMPLATE}")


def hostile_site(make_site):
    return make_site({
        "site.yaml": f"title: {H}\ndescription: {M}\nauthor: {H}\nnav: [{{title: {H}, url: /about/}}]\n",
        "content/benchmarks.yaml": f"medqa: {{name: {H}, unit: {H}, description: {M}}}\n"
                                   f"arena: {{name: Arena, unit: Elo}}\nlatency: {{name: L, unit: ms, higher_is_better: false}}\n",
        "content/models/alpha-4b.yaml": f"""
            name: {H}
            summary: {M}
            developer: {H}
            family: {H}
            base_model: {{name: {H}}}
            release_date: 2025-07-09
            domains: [{H}]
            license: {{name: {H}, url: "https://example.com/?q='onmouseover=x&b=1"}}
            pricing: {{input_per_mtok: 1, note: {M}}}
            facts: [{{label: {H}, value: {M}, note: {M}}}]
            benchmarks:
              medqa: {{value: 50, note: {M}, setting: {H}, source: {{title: {H}, url: "https://example.com/"}}}}
            strengths: [{M}]
            weaknesses: [{M}]
            use_cases: [{M}]
            description: {M}
            sources: [{{title: {H}, url: "https://example.com/x?a=1&b=<2>"}}]
            """.replace("<2>", "2"),
        "content/comparisons/small-models.yaml": f"title: {H}\nmodels: [alpha-4b, beta-7b]\ncolumns: [medqa, developer, license]\ndescription: {M}\n",
        "content/pages/about.md": f"---\ntitle: {H}\n---\n{MD}\n\n{XSS}\n\n{TEMPLATE}\n",
    })


def test_hostile_strings_come_out_inert(make_site, tmp_path):
    site = hostile_site(make_site)
    out = tmp_path / "out"
    result = run_cli("build", site, "--out", out)
    assert result.returncode == 0, result.output
    pages = list(out.rglob("*.html"))
    assert len(pages) > 15
    for html_file in pages:
        html = html_file.read_text()
        assert "49" not in html.replace("1749", ""), f"template syntax evaluated in {html_file}"
        doc = BeautifulSoup(html, "html.parser")
        for script in doc.find_all("script"):
            assert script.get("type") == "application/ld+json" or script.get("src"), html_file
            if script.get("type") == "application/ld+json":
                json.loads(script.string)  # still valid JSON: nothing broke out of it
        assert not doc.find_all(["iframe", "object", "embed"])
        for node in doc.find_all(True):
            for attr, value in node.attrs.items():
                assert not attr.lower().startswith("on"), f"{attr} on <{node.name}> in {html_file}"
                if attr in ("href", "src", "action"):
                    assert not str(value).strip().lower().startswith(("javascript:", "data:", "vbscript:")), html_file
        for img in doc.find_all("img"):
            assert False, f"an image came from content in {html_file}: {img}"
    # The hostile text is still shown, as text.
    model_page = (out / "models/alpha-4b/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in model_page
    assert "{{ 7*7 }}" in model_page


def test_hostile_strings_stay_data_in_exports(make_site, tmp_path):
    site = hostile_site(make_site)
    out = tmp_path / "out"
    assert run_cli("build", site, "--out", out).returncode == 0
    data = json.loads((out / "api/models.json").read_text())
    model = next(m for m in data["models"] if m["slug"] == "alpha-4b")
    assert model["name"] == json.loads(H)
    csv_text = (out / "api/models.csv").read_text()
    assert "alert(1)" in csv_text


def test_csv_cells_that_look_like_formulas_are_defused(make_site, tmp_path):
    site = make_site({"content/models/beta-7b.yaml": """
        name: "=HYPERLINK(\\"http://evil\\",\\"x\\")"
        summary: s
        developer: "@SUM(1+1)"
        release_date: 2024-02-15
        sources: ["https://example.com/beta"]
        """})
    out = tmp_path / "out"
    assert run_cli("build", site, "--out", out).returncode == 0
    csv_text = (out / "api/models.csv").read_text()
    assert "'=HYPERLINK" in csv_text and "'@SUM" in csv_text
