"""Wiring: config, dispatcher factory, middlewares, runners, scheduler, demo chat."""
