from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "satuatap.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Every admin of every app writes audit entries for its adds, changes and deletes (UU 27/2022): the admin
        # site has discovered all admin modules by now (django.contrib.admin comes first in INSTALLED_APPS), and
        # an admin registered without the mixin gets it here, so a new app cannot forget it.
        from django.contrib import admin

        from satuatap.accounts.admin import AuditedAdminMixin

        for model_admin in admin.site._registry.values():
            if not isinstance(model_admin, AuditedAdminMixin):
                cls = type(model_admin)
                model_admin.__class__ = type(f"Audited{cls.__name__}", (AuditedAdminMixin, cls),
                                             {"__module__": cls.__module__})
