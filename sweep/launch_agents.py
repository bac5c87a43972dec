"""`python -m sweep.launch_agents`: the command in sweep.cli.launch_agents, kept at the name users
type and scripts hold."""

from sweep.cli.launch_agents import main

if __name__ == "__main__":
    raise SystemExit(main())  # its exit code, as the command returns it
