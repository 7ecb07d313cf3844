"""Database routing: on SQLite, the cache (rate-limit counters) lives in its own file.

SQLite has one write lock per file. Rate-limit counters are written on every order request,
so in a war PO they would queue behind (and hold up) the orders themselves; in a separate file
they take a separate lock. PostgreSQL locks rows, so there the cache table stays in `default`.
"""

CACHE_APP_LABEL = "django_cache"
CACHE_ALIAS = "cache"


class CacheRouter:
    def db_for_read(self, model, **hints):
        return CACHE_ALIAS if model._meta.app_label == CACHE_APP_LABEL else None

    def db_for_write(self, model, **hints):
        return CACHE_ALIAS if model._meta.app_label == CACHE_APP_LABEL else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == CACHE_APP_LABEL:
            return db == CACHE_ALIAS
        return None if db != CACHE_ALIAS else False
