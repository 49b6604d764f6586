// MathJax 3 configuration, loaded before assets/mathjax/es5/tex-mml-chtml.js (served by the
// site itself: docs/hooks/mathjax.py copies it in at build time).
//
// What is typeset: only the elements matched by `startup.elements`.
// - `.arithmatex`: pymdownx.arithmatex (generic: true) wraps every formula of a Markdown page
//   in one, with \( \) or \[ \] delimiters.
// - `.jp-RenderedMarkdown`, `.jp-OutputArea-output`: the Markdown cells and outputs of the
//   example pages (mkdocs-jupyter), which keep the notebook's own $...$ and $$...$$ inside
//   class-less <p> elements. Material's documented `ignoreHtmlClass: ".*|"` would skip those
//   <p>s and leave the notebook's math raw, so it is not used here.
// Code (<pre>, <code>) is never typeset (MathJax's default skipHtmlTags).
//
// `noundefined` is removed from the TeX packages: an unknown macro then becomes an error node
// (<mjx-merror>) that tests/test_browser.py finds, instead of quiet red text.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
    packages: { "[-]": ["noundefined"] },
  },
  startup: {
    elements: [".arithmatex", ".jp-RenderedMarkdown", ".jp-OutputArea-output", ".md-nav"],
    typeset: true,
  },
};
