"""Permissions stated twice: the app's matrix (from the domains' declarations) must equal the
hand-written table in tests/core/permission_table.py, so a wrong grant fails naming the role, the
resource and the action."""
from __future__ import annotations

import pytest

from caseapp.core.security import ROLES
from caseapp.domains import access_matrix
from tests.core.permission_table import TABLE


def app_grants(role: str) -> set[tuple[str, str]]:
    """What the app's matrix lets `role` do (its permissions; the menu follows from them)."""
    return {(p.resource, p.fab_name) for p in access_matrix().permissions if role in p.roles}


def test_the_table_states_every_role():
    assert set(TABLE) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_the_app_grants_exactly_what_the_table_states(role):
    granted, stated = app_grants(role), TABLE[role]
    wrong = [f"{role} may {resource}.{action}, but the table says not"
             for resource, action in sorted(granted - stated)]
    wrong += [f"{role} may not {resource}.{action}: the table says it may, but the app does not grant it"
              for resource, action in sorted(stated - granted)]
    assert not wrong, "\n".join(wrong)


def test_every_permission_the_app_declares_is_stated_in_the_table():
    """A new permission is to be stated twice: in its domain and here, for every role that holds it
    (at least Admin)."""
    declared = {(p.resource, p.fab_name) for p in access_matrix().permissions}
    stated = set().union(*TABLE.values())
    assert not sorted(declared - stated), f"not in tests/core/permission_table.py: {sorted(declared - stated)}"
    assert not sorted(stated - declared), f"the table states what the app does not declare: {sorted(stated - declared)}"
