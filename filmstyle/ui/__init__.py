"""``filmstyle ui``: a preview page in the browser (``pip install 'filmstyle[ui]'``, Gradio).

:mod:`filmstyle.ui.workspace` holds one user's session (the library's calls, no page);
:mod:`filmstyle.ui.app` lays out the page and serves it.
"""
