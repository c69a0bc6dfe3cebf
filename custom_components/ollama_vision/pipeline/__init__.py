"""An analysis from request to outcome: stages, queue, structured answers, the sink."""
