"""Thin views, one module per part of the site; dreams/urls.py and journal/urls.py name each one."""
