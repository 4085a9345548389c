"""Words Flask-AppBuilder's own pages say whose German its catalogue lacks (found by extracting
its templates and views and comparing with its de catalogue). Marked here so that core's
catalogue (caseapp/translations) gives them; Flask-AppBuilder translates them where it shows them."""
from caseapp.core.i18n import N_

FAB_WORDS = (
    N_("Add"), N_("Show"), N_("Edit"), N_("Delete"),
    N_("Are you sure you want to delete this item?"),
    N_("Database Error"), N_("In"), N_("Not In"),
    N_("Groups"), N_("Add Group"), N_("Edit Group"), N_("Show Group"),
    N_("The user's password for authentication"),
    N_("User(s) exists in the group, cannot delete"), N_("User(s) exists in the role, cannot delete"),
)
