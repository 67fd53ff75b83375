"""The constraint file: its schema (`schema`) and loading it with locations (`load`)."""
