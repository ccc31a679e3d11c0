"""The signed-in home page: one panel per thing a role has to act on or watch.

It composes the selectors of the other apps (agreement, plans, penalties, reports) and holds
no data of its own.
"""
