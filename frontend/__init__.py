"""The HTML UI: server-rendered pages (Jinja2 + htmx), served by the gateway process."""
