"""The Profile page (the navbar's user menu), for every person: who they are (name, login,
roles), their language and time zone, and changing their own password (the current one
required). The rules are in caseapp.core.preferences; this only parses, calls and renders."""
from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from caseapp.core import PROFILE


class ProfileView(BaseView):
    route_base = "/profile"
    class_permission_name = PROFILE
    method_permission_name = {"index": "read", "preferences": "write", "password": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        from flask_login import current_user

        from caseapp.core.locale import firm_locale, firm_timezone, select_locale, select_timezone
        from caseapp.core.preferences import PASSWORD_MIN_LENGTH, preference_of, time_zones
        from caseapp.extensions import get_session

        preference = preference_of(get_session(), current_user.id)
        return self.render_template(
            "caseapp/profile.html", user=current_user, roles=sorted(role.name for role in current_user.roles),
            preference=preference, languages=current_app.config["LANGUAGES"], zones=sorted(time_zones()),
            locale_now=select_locale(), zone_now=select_timezone(), firm_locale=firm_locale(),
            firm_zone=firm_timezone(), min_length=PASSWORD_MIN_LENGTH)

    @expose("/preferences", methods=["POST"])
    @has_access
    def preferences(self):
        from caseapp.core import locale
        from caseapp.core.preferences import set_preferences
        from caseapp.core.web import current_actor, run_action

        def saved(_preference) -> str:
            locale.forget()   # said in the language just chosen
            return gettext("Your preferences are saved.")

        actor = current_actor()
        run_action(lambda session: set_preferences(
            session, actor, actor.user_id, locale=request.form.get("locale", ""),
            timezone=request.form.get("timezone", ""), languages=current_app.config["LANGUAGES"]), saved)
        return redirect(url_for("ProfileView.index"))

    @expose("/password", methods=["POST"])
    @has_access
    def password(self):
        from flask_login import current_user
        from werkzeug.security import check_password_hash, generate_password_hash

        from caseapp.core.preferences import change_password
        from caseapp.core.web import current_actor, run_action

        config, actor, user_model = current_app.config, current_actor(), type(current_user._get_current_object())

        def hash_password(text: str) -> str:
            return generate_password_hash(text, method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                          salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))

        run_action(lambda session: change_password(
            session, actor, session.get(user_model, actor.user_id), current=request.form.get("current", ""),
            new=request.form.get("new", ""), repeated=request.form.get("repeated", ""),
            hash_password=hash_password, check_password=check_password_hash),
            gettext("Your password is changed: use the new one from your next login."))
        return redirect(url_for("ProfileView.index"))


def register(app, appbuilder) -> None:
    appbuilder.add_view_no_menu(ProfileView)
