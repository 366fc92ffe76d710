def saved_draft(request) -> dict:
    """Once, after a save: the key of the draft the browser may now forget."""
    session = getattr(request, "session", None)
    if session is None or "saved_draft" not in session:
        return {}
    return {"saved_draft_key": session.pop("saved_draft")}
