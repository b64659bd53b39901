"""The web console for coaches, operators and admins: routes, forms and views only.

Rules and queries live in the domain (`accounts`, `coaching.casework`), behind services that take
the signed-in account and check its scope; this package turns requests into those calls and their
answers into pages. `console.app.build_console` makes the Starlette application.
"""
