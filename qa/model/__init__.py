"""Set-up: convert the bundled 4-bit e5 model to a sentence-transformers folder."""
