"""Data the app reads at run time that lives at the repository's root: the country rules
(`jurisdictions/`), the migrations (`migrations/`) and the letter templates
(`templates/letters/`). The build (setup.py) maps each into this package as
`caseapp.data.<name>`, so an installed wheel carries them; `caseapp.core.resources`
finds them through importlib.resources, in a checkout and in an installed wheel alike."""
