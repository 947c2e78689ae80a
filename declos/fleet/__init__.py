"""Fleets: `declos deploy FLEET.dcl`, many hosts configured and deployed at once.

fleet.py     the fleet file: its shape, its nodes, `--on` selections
evaluate.py  evaluating nodes in parallel processes, with the evaluation cache
ssh.py       one multiplexed `ssh` connection per host, and new ones to confirm
hosts.py     what happens to one host: copy, activate, confirm
deploy.py    the whole deploy: evaluate, build once, then every host
display.py   a live table on a terminal, plain lines when piped
summary.py   the summary at the end, as text or JSON
"""
