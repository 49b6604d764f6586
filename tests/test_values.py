"""The values hook (docs/hooks/values.py): measured values rendered from docs/results/*.json.

Unit tests of the calls, the formats and the page handling run on small results files made
here; one small MkDocs build checks the hook inside MkDocs (strict failures included); the
last tests read the book's built pages and evaluate every rendered value again.
"""

import html
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from nnscratch.experiments.errata import load_results, pct, runs_of

ROOT = Path(__file__).resolve().parent.parent
HOOK = ROOT / "docs" / "hooks" / "values.py"


def _load_hook():
    spec = importlib.util.spec_from_file_location("nnscratch_values_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is made
    spec.loader.exec_module(module)
    return module


values = _load_hook()

RUNS = {
    "command": "python -m nnscratch.notebook --seeds 0,1,2",
    "created": "2026-01-02T03:04:05+00:00",
    "runs": [
        {"name": "a", "seed": 1, "acc": 0.80, "seconds": 10.0, "history": [{"acc": 0.1}]},
        {"name": "a", "seed": 0, "acc": 0.90, "seconds": 12.0, "history": [{"acc": 0.2}]},
        {"name": "a", "seed": 2, "acc": 1.00, "seconds": 14.0, "history": [{"acc": 0.3}]},
        {"name": "b", "seed": 0, "acc": 0.95, "seconds": 1.0, "history": []},
        {"name": "b", "seed": 1, "acc": 0.85, "seconds": 1.0, "history": []},
        {"name": "b", "seed": 2, "acc": 1.00, "seconds": 1.0, "history": []},
    ],
    "flop": 22_776_000_000,
    "ratio": 2.0206,
    "tiny": 1.234e-7,
    "lists": [{"k": "x", "v": [1.0, 2.0, 3.0]}, {"k": "y", "v": [5.0]}],
}
QUOTE = {"kind": "quotation", "source": "a printout we were shown", "x": {"acc": 0.94667}}


@pytest.fixture(autouse=True)
def results_dir(tmp_path, monkeypatch):
    (tmp_path / "runs.json").write_text(json.dumps(RUNS))
    (tmp_path / "quote.json").write_text(json.dumps(QUOTE))
    (tmp_path / "bare.json").write_text(json.dumps({"x": 1}))
    monkeypatch.setattr(values, "RESULTS_DIR", tmp_path)
    values._cache.clear()
    yield tmp_path
    values._cache.clear()


# --- keys, selectors and formats ---------------------------------------------------------


@pytest.mark.parametrize("call, text", [
    ('value("runs.json", "runs[name=a,seed=0].acc")', "90.00 %"),
    ('value("runs.json", "runs[name=a].acc")', "90.00 % ± 10.00"),
    ('value("runs.json", "runs[name=a].acc", "pct:1", stat="mean")', "90.0 %"),
    ('value("runs.json", "runs[name=a].acc", stat="max")', "100.00 %"),
    ('value("runs.json", "runs[name=a].acc", "pct:1", stat="sd")', "10.0 points"),
    ('value("runs.json", "runs[name=a].seconds", "seconds:1", stat="sd")', "2.0 s"),
    ('value("runs.json", "runs[name=a].seconds", "seconds:1")', "12.0 s ± 2.0"),
    ('value("runs.json", "runs[name=a].history.-1.acc", stat="min")', "10.00 %"),
    ('value("runs.json", "runs.0.seconds", "minutes:2")', "0.17 min"),
    ('value("runs.json", "flop", "int")', "22,776,000,000"),
    ('value("runs.json", "flop", "fixed:1", scale=1e-9, unit="GFLOP")', "22.8 GFLOP"),
    ('value("runs.json", "ratio", "times:1")', "2.0×"),
    ('value("runs.json", "tiny", "sci:1")', "1.2 × 10⁻⁷"),
    ('value("runs.json", "created", "text")', "2026-01-02T03:04:05+00:00"),
    ('value("runs.json", "runs[*].seconds", "fixed:0", stat="max")', "14"),
    ('diff("runs.json", "runs[name=b].acc", "runs[name=a].acc")', "+3.33 points ± 2.89"),
    ('value("runs.json", "runs[name=a].acc", stat="n")', "3"),
    ('value("runs.json", "runs[*].acc", stat="n", unit="runs")', "6 runs"),
    ('value("runs.json", "runs[name=a,seed=0].history", stat="n")', "1"),
    ('value("runs.json", "lists[k=x].v", "fixed:1")', "2.0 ± 1.0"),
    ('value("runs.json", "lists[k=x].v", stat="n")', "3"),
])
def test_calls(call, text):
    assert values.evaluate(call).text == text


def test_mean_sd_is_the_library_s():
    """The pages' pycon blocks print pct(); a rendered value must print the same."""
    results = load_results()
    values.RESULTS_DIR = ROOT / "docs" / "results"
    for name in ("v1 as written", "v2 as written"):
        rendered = values.value("errata.json", f"runs[name={name}].test_accuracy")
        assert rendered.text == pct([r["test_accuracy"] for r in runs_of(results, name)])


def test_diff_pairs_runs_by_seed():
    # "a" is stored in seed order 1, 0, 2: pairing by position would give other differences.
    d = values.diff("runs.json", "runs[name=b].acc", "runs[name=a].acc", "points:2", "mean")
    assert d.text == "+3.33 points"
    assert d.source == ("docs/results/runs.json#runs[name=b].acc minus "
                        "docs/results/runs.json#runs[name=a].acc")


@pytest.mark.parametrize("call, message", [
    ('value("nothere.json", "x")', "no results file"),
    ('value("../secret.json", "x")', "named like"),
    ('value("runs.json", "nokey")', "no key 'nokey'"),
    ('value("runs.json", "runs[name=c].acc")', "nothing in runs matches"),
    ('value("runs.json", "runs.9.acc")', "no item 9"),
    ('value("runs.json", "runs[name=a].acc", "percent")', "unknown format"),
    ('value("runs.json", "flop", stat="mean")', "selects several values"),
    ('value("runs.json", "runs[name=a].acc", stat="median")', "unknown stat"),
    ('value("runs.json", "created")', "is not a number"),
    ('value("bare.json", "x")', "names no 'command'"),
    ('value("runs.json", "runs[name]")', "selector"),
    ('value("runs.json", key=__import__("os"))', "literals"),
    ('open("runs.json")', "not one of"),
    ('value("runs.json", "flop", colour="red")', "unexpected keyword"),
    ('value("runs.json"', "not a call"),
    ('diff("runs.json", "runs[name=a].acc", "runs[name=a,seed=0].acc")', "same seeds"),
    ('value("runs.json", "flop", stat="n")', "counts the values"),
    ('table("runs.json", rows=[["A", "runs[name=a]"]], columns=[["s", "seconds", "fixed", '
     '{"colour": "red"}]])', "unknown cell options ['colour']"),
    ('table("runs.json", rows=[["A", {"n": "a"}]], columns=[["s", "runs[name={m}].acc"]])',
     "names 'm'"),
    ('table("runs.json", rows=[["A", "runs[name=a]"]], columns=[["s"]])', "a column is"),
    ('table("runs.json", rows=[["A", "runs[name=a]"]], columns=[["d", "acc", "points", '
     '{"minus": "acc", "unit": "pp"}]])', "no unit or scale"),
])
def test_bad_calls_are_errors(call, message):
    with pytest.raises(values.ValueProblem, match=re.escape(message)):
        values.evaluate(call)


def test_the_title_names_file_key_and_command():
    title = values.evaluate('value("runs.json", "runs[name=a].acc")').title
    assert title == ("90.00 % ± 10.00: docs/results/runs.json, key runs[name=a].acc, "
                     "mean ± sample sd over 3 values. Written by: "
                     "python -m nnscratch.notebook --seeds 0,1,2 (file dated 2026-01-02)")


def test_a_quotation_says_it_is_one():
    rendered = values.evaluate('value("quote.json", "x.acc")')
    assert rendered.text == "94.67 %"
    assert rendered.title.endswith("Quoted from a printout we were shown")


def test_a_quotation_with_a_command_is_refused(results_dir):
    (results_dir / "q2.json").write_text(json.dumps({**QUOTE, "command": "nnscratch bench"}))
    with pytest.raises(values.ValueProblem, match="no 'command'"):
        values.load("q2.json")


def test_data_call_gives_the_value_again():
    for call in ['value("runs.json", "flop", "fixed:1", scale=1e-9, unit="GFLOP")',
                 'diff("runs.json", "runs[name=b].acc", "runs[name=a].acc", stat="mean")']:
        rendered = values.evaluate(call)
        assert values.evaluate(rendered.call) == rendered


# --- pages ------------------------------------------------------------------------------


def test_a_value_in_prose_is_a_span_with_its_source():
    page, plain = values.render_markdown('A {@ value("runs.json", "ratio", "times:2") @} b.', "p")
    assert plain == []
    assert page.startswith('A <span class="nn-value" '
                           'data-source="docs/results/runs.json#ratio" '
                           "data-call=\"value(&#x27;runs.json&#x27;, &#x27;ratio&#x27;, "
                           "fmt=&#x27;times:2&#x27;)\" title=\"2.02×: docs/results/runs.json, key "
                           "ratio. Written by:")
    assert page.endswith('>2.02×</span> b.')


def test_a_value_in_a_markdown_table_cell_keeps_the_table():
    page, _ = values.render_markdown(
        '| a | b |\n|---|---|\n| x | {@ value("runs.json", "runs[name=a].acc") @} |', "p")
    row = page.splitlines()[2]
    assert row.count("|") == 3  # the title's text holds no raw "|"


@pytest.mark.parametrize("markdown", [
    '<img src="x.png" alt="bars: {@ value("runs.json", "runs[name=a].acc", stat="mean") @}.">',
    '![bars: {@ value("runs.json", "runs[name=a].acc", stat="mean") @}.](x.png)',
])
def test_a_value_in_alt_text_is_plain_and_its_tag_gets_the_source(markdown):
    import markdown as md

    page, plain = values.render_markdown(markdown, "p")
    assert "<span" not in page and len(plain) == 1
    content = values.attach_plain(md.markdown(page), plain, "p")
    assert 'alt="bars: 90.00 %."' in content
    assert 'data-source="docs/results/runs.json#runs[name=a].acc"' in content
    assert 'data-values="90.00 %"' in content
    assert 'title="Values in this text: 90.00 %: docs/results/runs.json' in content


def test_two_values_in_one_alt_text():
    page, plain = values.render_markdown(
        '<img alt="{@ value("runs.json", "ratio", "times:1") @} and '
        '{@ value("quote.json", "x.acc") @}" src="x.png" title="mine">', "p")
    content = values.attach_plain(page, plain, "p")
    assert 'alt="2.0× and 94.67 %"' in content
    assert ('data-source="docs/results/runs.json#ratio ; docs/results/quote.json#x.acc"'
            in content)
    assert 'data-values="2.0× ; 94.67 %"' in content
    assert content.count("title=") == 1  # the tag's own title is kept


def test_a_value_in_a_caption_is_a_span():
    page, plain = values.render_markdown(
        '<figcaption markdown="span">Test {@ value("quote.json", "x.acc") @}.</figcaption>', "p")
    assert plain == [] and 'class="nn-value"' in page


def test_a_table_keeps_the_indentation_of_its_line():
    call = textwrap.dedent("""\
        !!! note
            {@ table("runs.json",
                rows=[["A", "runs[name=a]"], ["B", "runs[name=b]", {"time": None}]],
                columns=[["accuracy", "acc", "pct:1"], ["time", "seconds", "seconds:0"]],
                corner="run") @}
        """)
    page, _ = values.render_markdown(call, "p")
    lines = page.splitlines()
    assert lines[1:3] == ["    | run | accuracy | time |", "    |:--|--:|--:|"]
    assert lines[3].startswith("    | A | <span")
    assert lines[4].startswith("    | B | <span") and lines[4].endswith(" | — |")
    assert ">90.0 % ± 10.0</span>" in lines[3] and ">12 s ± 2</span>" in lines[3]
    assert 'data-source="docs/results/runs.json#runs[name=a].seconds"' in lines[3]


def _cells(line: str) -> list[str]:
    """The texts of a rendered table line's cells (values' spans reduced to their text)."""
    return [re.sub(r"<span [^>]*>([^<]*)</span>", r"\1", c).strip()
            for c in line.strip().strip("|").split(" | ")]


def test_a_table_of_means_differences_and_counts():
    """Mean ± sd, the paired difference from another row, and the number of seeds."""
    page, _ = values.render_markdown(
        '{@ table("runs.json", corner="run", '
        'rows=[["A", "runs[name=a]", {"change": None}], ["B", "runs[name=b]"]], '
        'columns=[["accuracy (%)", "acc", "pct:1"], '
        '["change", "acc", "points:1", {"minus": "runs[name=a].acc"}], '
        '["seeds", "acc", "int", {"stat": "n"}]]) @}', "p")
    lines = page.splitlines()
    assert _cells(lines[0]) == ["run", "accuracy (%)", "change", "seeds"]
    assert _cells(lines[2]) == ["A", "90.0 % ± 10.0", "—", "3"]
    assert _cells(lines[3]) == ["B", "93.3 % ± 7.6", "+3.3 points ± 2.9", "3"]
    assert ('data-source="docs/results/runs.json#runs[name=b].acc minus '
            'docs/results/runs.json#runs[name=a].acc"') in lines[3]
    assert "paired difference" in lines[3] and "over 3 pairs" in lines[3]


def test_a_table_row_key_may_name_parts_and_a_column_another_file():
    page, _ = values.render_markdown(
        '{@ table("runs.json", '
        'rows=[["a", {"n": "a", "q": "x.acc"}], ["b", {"n": "b", "q": "x.acc"}, '
        '{"quoted": None, "best": {"key": "runs[name={n}].acc", "fmt": "pct:0"}}]], '
        'columns=[["quoted", "{q}", "pct:1", {"file": "quote.json"}], '
        '["best", "runs[name={n}].acc", "pct:1", {"stat": "max"}]]) @}', "p")
    lines = page.splitlines()
    assert _cells(lines[2]) == ["a", "94.7 %", "100.0 %"]
    assert 'data-source="docs/results/quote.json#x.acc"' in lines[2]
    assert "Quoted from a printout we were shown" in lines[2]
    assert _cells(lines[3]) == ["b", "—", "100 %"]  # the override keeps the column's stat


def test_every_table_cell_gives_its_value_again():
    page, _ = values.render_markdown(
        '{@ table("runs.json", rows=[["B", "runs[name=b]"]], '
        'columns=[["d", "acc", "points:1", {"minus": "runs[name=a].acc", "stat": "mean"}], '
        '["n", "acc", "int", {"stat": "n"}]]) @}', "p")
    for call, text in re.findall(r'data-call="([^"]*)"[^>]*>([^<]*)</span>', page):
        assert values.evaluate(html.unescape(call)).text == html.unescape(text)


def test_a_table_column_may_place_the_row_key_anywhere():
    page, _ = values.render_markdown(
        '{@ table("runs.json", rows=[["first", "0"], ["last", "-1"]], '
        'columns=[["s", "runs.{row}.seconds", "seconds:0"]]) @}', "p")
    assert ">10 s</span>" in page.splitlines()[2] and ">1 s</span>" in page.splitlines()[3]


@pytest.mark.parametrize("markdown, message", [
    ('Text\n\n```text\n{@ value("runs.json", "ratio") @}\n```\n', "p:4: a value call in a code"),
    ('    ~~~python\n    x = "{@ value(\'runs.json\', \'ratio\') @}"\n    ~~~\n', "code block"),
    ('a\nb {@ value("runs.json", "nokey") @}', "p:2: runs.json: no key 'nokey'"),
    ('x {@ table("runs.json", rows=[["A", "runs.0"]], columns=[["s", "seconds"]]) @}',
     "must start its own line"),
    ('a {@ value("runs.json", "ratio")', "unclosed"),
])
def test_page_errors_name_the_page_and_line(markdown, message):
    with pytest.raises(PluginError, match=re.escape(message)):
        values.render_markdown(markdown, "p")


def test_a_plain_value_that_leaves_its_tag_is_an_error():
    with pytest.raises(PluginError, match="ended up in the text"):
        values.attach_plain("<p>NNVALUE0ZZ</p>", [values.evaluate(
            'value("runs.json", "ratio")')], "p")


def test_an_example_page_cannot_hold_a_call():
    class File:
        src_uri = "examples/x.py"

    class Page:
        file = File()

    with pytest.raises(PluginError, match="Markdown pages"):
        values.on_page_markdown('# %% [markdown]\n# {@ value("runs.json", "ratio") @}',
                                Page(), {}, None)


# --- inside MkDocs ------------------------------------------------------------------------


def _mini_site(tmp_path, page: str) -> subprocess.CompletedProcess:
    docs = tmp_path / "site-src" / "docs"
    (docs / "results").mkdir(parents=True)
    (docs / "results" / "runs.json").write_text(json.dumps(RUNS))
    (docs / "index.md").write_text(page)
    (tmp_path / "site-src" / "mkdocs.yml").write_text(textwrap.dedent(f"""\
        site_name: t
        strict: true
        hooks: [{HOOK}]
        markdown_extensions: [admonition, attr_list, md_in_html,
                              {{pymdownx.arithmatex: {{generic: true}}}}]
        """))
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
                          cwd=tmp_path / "site-src", capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def test_mkdocs_renders_values_and_fails_on_a_missing_key(tmp_path):
    ok = _mini_site(tmp_path, textwrap.dedent("""\
        # T

        Accuracy {@ value("runs.json", "runs[name=a].acc") @}, math \\(x^{[1]}\\).

        <figure markdown="span">
          <img src="a.png" alt="{@ value("runs.json", "ratio", "times:1") @} faster">
          <figcaption markdown="span">\\(W^{[1]}\\) {@ value("runs.json", "ratio") @}</figcaption>
        </figure>
        """))
    assert ok.returncode == 0, ok.stderr
    built = (tmp_path / "site-src" / "site" / "index.html").read_text()
    assert ">90.00 % ± 10.00</span>" in built
    assert 'alt="2.0× faster"' in built and 'data-values="2.0×"' in built
    caption = re.search(r"<figcaption>(.*?)</figcaption>", built, re.S)[1]
    assert '<span class="arithmatex">\\(W^{[1]}\\)</span>' in caption
    assert 'class="nn-value"' in caption

    bad = _mini_site(tmp_path / "bad", "# T\n\nAccuracy {@ value('runs.json', 'runs.acc') @}\n")
    assert bad.returncode != 0
    assert "docs/index.md:3: runs.json: no key 'acc'" in bad.stderr


# --- the book's built pages -------------------------------------------------------------


def _rendered(site: Path):
    """Every rendered value of the built book: (page, text, data-call) of each span."""
    span = re.compile(r'<span class="nn-value" data-source="([^"]*)" data-call="([^"]*)" '
                      r'title="[^"]*">([^<]*)</span>')
    for page in sorted(site.rglob("index.html")):
        for m in span.finditer(page.read_text(encoding="utf-8")):
            yield page.relative_to(site), html.unescape(m[3]), html.unescape(m[2])


@pytest.fixture(scope="module")
def book_site():
    from tests.test_site_build import built_site

    return built_site()


def test_every_rendered_value_is_its_file_s_value(book_site):
    values.RESULTS_DIR = ROOT / "docs" / "results"
    values._cache.clear()
    for page, text, call in _rendered(book_site):
        assert values.evaluate(call).text == text, (page, call)


def test_the_notebook_s_figures_are_cited_from_their_file(book_site):
    """The pages that state the notebook's own figures render them from notebook.json."""
    values.RESULTS_DIR = ROOT / "docs" / "results"
    values._cache.clear()
    cited = [(page, text, call) for page, text, call in _rendered(book_site)
             if "'notebook.json'" in call]
    pages = {str(page) for page, _, _ in cited}
    assert "notebook/index.html" in pages, "notebook.md does not cite docs/results/notebook.json"
    keys = {values.evaluate(call).source.split("#")[1] for _, _, call in cited}
    assert {"v1.train_accuracy", "v1.test_accuracy", "v2.test_accuracy"} <= keys
