def saved_draft(request) -> dict:
    """Once, after a save or a discard: the keys of the drafts the browser may now forget."""
    session = getattr(request, "session", None)
    if session is None:
        return {}
    keys = [session.pop(name) for name in ("saved_draft", "discarded_draft") if name in session]
    return {"saved_draft_key": " ".join(keys)} if keys else {}
