"""The filings' editable templates: templates/filings/<route>/<lang>.docx (the general complaint), built by
`python -m caseapp.filings.build_docx`. Installed as the package data `caseapp.data.filings` (see setup.py).
This file holds no code."""
