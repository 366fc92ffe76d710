"""Thin views: read the request, ask the domain, render. One module per part of the site."""

from dreams.views.accounts import ThrottledLoginView, account, delete_account, signup
from dreams.views.browse import dream_cover, dream_detail, gallery, healthz
from dreams.views.insights import insights_page
from dreams.views.motifs import (
    motif_add_word,
    motif_allow,
    motif_create,
    motif_detail,
    motif_list,
    motif_suggestions,
    tag_delete,
    tag_list,
    tag_rename,
    thread_detail,
    thread_link,
)
from dreams.views.portability import (
    export_json,
    export_markdown,
    export_page,
    import_confirm,
    import_page,
    import_preview,
)
from dreams.views.search import search_page
from dreams.views.writing import (
    autosave,
    delete_dream,
    discard_draft,
    edit_dream,
    new_dream,
    preview,
    resolve_conflict,
    restore_dream,
    tag_suggestions,
    trash,
)

__all__ = [
    "ThrottledLoginView",
    "account",
    "autosave",
    "delete_account",
    "delete_dream",
    "discard_draft",
    "dream_cover",
    "dream_detail",
    "edit_dream",
    "export_json",
    "export_markdown",
    "export_page",
    "gallery",
    "healthz",
    "import_confirm",
    "import_page",
    "import_preview",
    "insights_page",
    "motif_add_word",
    "motif_allow",
    "motif_create",
    "motif_detail",
    "motif_list",
    "motif_suggestions",
    "new_dream",
    "preview",
    "resolve_conflict",
    "restore_dream",
    "search_page",
    "signup",
    "tag_delete",
    "tag_list",
    "tag_rename",
    "tag_suggestions",
    "thread_detail",
    "thread_link",
    "trash",
]
