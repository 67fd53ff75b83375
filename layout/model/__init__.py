"""The optimisation model: the instance (`instance`, `levers`, `levels`, `checks`), the model and its constraint
families (`core`, `families`) and solving it (`solve`)."""
