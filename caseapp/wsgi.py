"""The WSGI application for a production server: `gunicorn caseapp.wsgi:app`, which is what
`caseapp serve --workers N` runs (docs/operations.md). Configured from the CASEAPP_*
environment variables like every command.

Each worker compiles caseapp's page templates as it starts, and each domain warms up
(`Domain.warm`: the dashboards are computed in a thread): otherwise a worker's first view of
each page does that work in the request (the case page's first view took 0.7 s instead of 0.1 s
at 100,000 cases, the dashboards' 0.7 s instead of 0.04 s), and every restart or new worker
showed the first people slow pages."""
from caseapp import create_app
from caseapp.core.warm import warm

app = create_app()
warm(app)
