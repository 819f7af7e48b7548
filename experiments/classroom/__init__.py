"""The classroom: lessons (a scenario beside its baseline twin) and the trainer's dashboard."""
