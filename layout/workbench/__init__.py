"""The planner's workbench (`layout serve`, `layout watch`): edit a constraint file, see the layout change, see why.

workspace.py  every run kept: runs/NNN/ with the text solved, its record and its results folder
runner.py     solves in the background, one at a time, a newer edit cancelling the older (child processes)
diff.py       two runs side by side: designations added, removed, moved; metrics; the edit and its reasons
page.py       the page: editor with line numbers, map, metrics, changes, runs (static/: its script and style)
app.py        the web application (Starlette): routes, server-sent events, the Host/Origin/token guard
serve.py      `layout serve`: the server on loopback (uvicorn)
watch.py      `layout watch`: re-solve on save into a results folder, for people in their own editor
"""
