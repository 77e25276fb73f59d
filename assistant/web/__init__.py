"""The Gradio web app (extra `web`): `assistant.web.app.build_app(settings)`.

Only `app.py` and the `tab_*.py` modules import gradio; `uploads`, `library_ops`, `auth` and
`context` work without it.
"""
