"""The launcher: the `effekt` command and the one-machine runner. The only place that knows every part."""
