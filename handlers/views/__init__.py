"""Screens, one home each, shared by the routers that show them.

A view function returns a `handlers.ui.View` (text and buttons) and sends nothing; routers
decide where it goes (`show`). Views read what they need through the request context.
"""
