"""Letter templates (docxtpl), one folder a letter and language. Installed as the package
data `caseapp.data.letters` (see setup.py). This file holds no code."""
