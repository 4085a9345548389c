"""The WSGI application for a production server: `gunicorn caseapp.wsgi:app`, which is what
`caseapp serve --workers N` runs (docs/operations.md). Configured from the CASEAPP_*
environment variables like every command."""
from caseapp import create_app

app = create_app()
