"""The documentation kept true: the README a short front door, every relative link leading somewhere, the
layer diagram of docs/architecture.md equal to the import-linter `layers` contract, and every file and
`file:function` its trails name still there."""
import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ARCHITECTURE = DOCS / "architecture.md"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 200

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
# `path/to/file.py:name` or `path/to/file.py:Class.method` (also `::`, pytest's spelling)
CODE_REF = re.compile(r"^((?:[\w.-]+/)*[\w.-]+\.py)::?([A-Za-z_][\w.]*)$")
# a concrete path into the repository: no placeholders (<app>), globs or ellipses
REPO_PATH = re.compile(r"^(?:shop|tests|bench|tools|deploy|docs)/[\w./-]*$"
                       r"|^(?:manage\.py|gateway_urls\.py|pyproject\.toml|Makefile|Dockerfile"
                       r"|docker-compose\.yml|\.env\.example)$")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation dropped but hyphens, spaces become hyphens."""
    text = FENCE.sub("", page.read_text())
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.replace("`", "").lower()).replace(" ", "-") for h in headings}


def _links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text())
    return [a or b for a, b in LINK.findall(text)]


def test_the_readme_is_a_front_door_of_at_most_200_lines():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines: move the detail into docs/"


def test_the_readme_links_every_page_of_the_docs():
    linked = {target.split("#")[0] for target in _links(ROOT / "README.md")}
    missing = [page.name for page in DOCS.glob("*.md") if f"docs/{page.name}" not in linked]
    assert not missing, f"pages the README does not link: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"{page.name}: broken links {broken}"


def _contract_layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    assert contract["containers"] == ["shop.platform"]
    return [{name.strip() for name in layer.split("|")} for layer in contract["layers"]]


def _diagram() -> tuple[list[tuple[str, set[str]]], set[tuple[str, str]]]:
    """The platform subgraph of the mermaid block: its layer nodes in order (id, the modules of the label's
    first line) and its edges."""
    [block] = re.findall(r"^```mermaid\n(.*?)^```", ARCHITECTURE.read_text(), re.S | re.M)
    subgraph = re.search(r"^\s*subgraph platform\b.*?$(.*?)^\s*end\s*$", block, re.S | re.M)
    assert subgraph, "docs/architecture.md's mermaid block has no `subgraph platform ... end`"
    body = subgraph.group(1)
    nodes = [(node, {name.strip() for name in label.split("<br/>")[0].split("|")})
             for node, label in re.findall(r"(\w+)\[\"([^\"]*)\"\]", body)]
    chains = [re.split(r"\s*-->\s*", re.sub(r"\[\"[^\"]*\"\]", "", line).strip())
              for line in body.splitlines() if "-->" in line]
    edges = {(a, b) for chain in chains for a, b in zip(chain, chain[1:])}
    return nodes, edges


def test_the_layer_diagram_is_the_layers_contract():
    nodes, edges = _diagram()
    assert [modules for _, modules in nodes] == _contract_layers(), \
        "the diagram's layers (first line of each label, top to bottom) differ from pyproject.toml's contract"
    ids = [node for node, _ in nodes]
    assert edges == set(zip(ids, ids[1:])), "the diagram's arrows must run from each layer to the next one down"


def test_every_part_of_the_platform_is_in_the_diagram():
    platform = ROOT / "shop" / "platform"
    parts = {p.name for p in platform.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    parts |= {p.stem for p in platform.glob("*.py") if p.stem != "__init__"}
    drawn = set().union(*(modules for _, modules in _diagram()[0]))
    assert parts == drawn, f"in shop/platform but not drawn: {parts - drawn}; drawn but gone: {drawn - parts}"


def _defines(tree: ast.Module, dotted: str) -> bool:
    scope: list[ast.stmt] = tree.body
    for name in dotted.split("."):
        found = None
        for node in scope:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                found = node
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                found = node
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
                found = node
        if found is None:
            return False
        scope = getattr(found, "body", [])
    return True


def _spans(page: Path) -> list[str]:
    return CODE_SPAN.findall(page.read_text())


def test_every_file_and_function_the_architecture_page_names_exists():
    missing, refs = [], 0
    for span in _spans(ARCHITECTURE):
        ref = CODE_REF.match(span)
        if ref:
            refs += 1
            file, name = ROOT / ref.group(1), ref.group(2)
            if not file.exists():
                missing.append(f"{span}: no such file")
            elif not _defines(ast.parse(file.read_text()), name):
                missing.append(f"{span}: {ref.group(1)} defines no {name}")
        elif REPO_PATH.match(span) and not (ROOT / span).exists():
            missing.append(f"{span}: no such path")
    assert refs >= 30, "the trails should name their steps as `file:function`"
    assert not missing, missing


def test_the_architecture_page_answers_the_three_questions():
    text = ARCHITECTURE.read_text()
    for question in ("upstream timeout in split mode", "paid order's stock commit", "oversell"):
        assert re.search(rf"^###.*{question}", text, re.M | re.I), question
    timeout = text[text.index("upstream timeout in split mode"):text.index("paid order's stock commit")]
    assert "504" in timeout and "UpstreamTimeout" in timeout  # the old page said 503


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_path_a_page_names_exists(page):
    missing = [span for span in _spans(page) if REPO_PATH.match(span.split(":")[0])
               and not (ROOT / span.split(":")[0]).exists()]
    assert not missing, f"{page.name} names paths that do not exist: {missing}"
