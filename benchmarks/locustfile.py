"""The load test's users: case handlers, lawyers and accountants working their main pages, each
logged in through the login form (its CSRF token read from the page), as a person would.

Run by benchmarks/load.py (which builds the database and starts gunicorn); by hand:

    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 50 -r 5 -t 180s \
        --host http://127.0.0.1:8400

LOAD_REFS names a file of case references (one a line) the users open; without it they open the
cases their queue shows. The mix (weights) is a working day's: handlers are most of the firm and
most of the requests (queue, case, triage), the lawyer works the desk and the calendar, the
accountants the payouts, unmatched payments, the trial balance and the dashboards.
"""
from __future__ import annotations

import os
import random
import re

from locust import FastHttpUser, between, task

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REFS: list[str] = []
if os.environ.get("LOAD_REFS"):
    with open(os.environ["LOAD_REFS"], encoding="utf-8") as handle:
        REFS = [line.strip() for line in handle if line.strip()]
COUNTRIES = ["DE", "FR", "GB", "US", "IT", "AT", "ES", "NL"]
# Seconds a person spends on a page before the next click ("low,high"): LOAD_THINK, default 1-3 s.
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(","))
# LOAD_CONNECTIONS=proxy: each request on a new connection, as the reverse proxy of
# docs/operations.md passes them to gunicorn (nginx speaks HTTP/1.0 to its upstream and closes
# the connection: any free worker takes the next request); keep-alive: each person's requests on
# one connection to one gunicorn worker, as if people reached gunicorn without a proxy.
HEADERS = {"Connection": "close"} if os.environ.get("LOAD_CONNECTIONS", "proxy") == "proxy" else {}


class Person(FastHttpUser):   # geventhttpclient: the load generator takes less of the machine's two cores
    abstract = True
    wait_time = between(*THINK)   # a person reads a page before the next click
    logins: tuple[str, ...] = ()

    def on_start(self):
        login = random.choice(self.logins)
        page = self.client.get("/login/", name="login form", headers=HEADERS)
        token = CSRF.search(page.text)
        response = self.client.post("/login/", name="login", allow_redirects=False, headers=HEADERS, data={
            "csrf_token": token.group(1) if token else "", "username": login, "password": f"{login}-demo"})
        if response.status_code != 302:
            response.failure(f"login of {login} answered {response.status_code}")

    def get(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False, headers=HEADERS) as response:
            if response.status_code != 200:
                response.failure(f"{url}: {response.status_code} {response.error or ''}".strip())

    def case(self):
        if REFS:
            self.get(f"/cases/{random.choice(REFS)}", "case page")


class CaseHandler(Person):
    weight = 6
    logins = ("handler", "handler2")

    @task(5)
    def queue(self):
        scope = random.choice(["mine", "unassigned"])
        extra = random.choice(["", f"&country={random.choice(COUNTRIES)}", "&stage=offer_sent"])
        self.get(f"/queue/?scope={scope}{extra}", "queue")

    @task(5)
    def open_case(self):
        self.case()

    @task(3)
    def triage(self):
        self.get("/hits/", "triage")


class Lawyer(Person):
    weight = 2
    logins = ("lawyer",)

    @task(4)
    def desk(self):
        self.get("/court/", "lawyer's desk")

    @task(2)
    def calendar(self):
        self.get("/court/calendar", "court calendar")

    @task(4)
    def open_case(self):
        self.case()


class Accountant(Person):
    weight = 2
    logins = ("accountant", "accountant2")

    @task(4)
    def payouts(self):
        self.get("/payouts/", "payouts")

    @task(3)
    def unmatched(self):
        self.get("/payments/unmatched", "unmatched payments")

    @task(2)
    def trial_balance(self):
        self.get("/ledger/", "trial balance")

    @task(1)
    def open_case(self):
        self.case()

    @task(1)
    def dashboards(self):
        self.get("/reports/", "dashboards")
