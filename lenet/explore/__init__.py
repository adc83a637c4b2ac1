"""``lenet explore``: ask and answer questions about units in a local web app, on the discovery split.

Stages: ``exploration`` (the network seen through its discovery split only), ``answers`` (rankings, unit
views, asks, tried images), ``charts`` (matplotlib), ``session`` (state, jobs, warm-up), ``app`` (Starlette
routes, templates, safety), ``server`` (uvicorn on 127.0.0.1). Import the modules.
"""
