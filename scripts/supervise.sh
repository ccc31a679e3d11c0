# Start a few long-running processes and stop them all together (sourced by scripts/run-dev,
# which `make run` calls, and scripts/entrypoint, which `make serve` calls).
#
#   supervise_start NAME COMMAND [ARGS...]   start one, in its own session
#   supervise_wait                           until Ctrl-C/SIGTERM (exit 0) or one dies (exit 1)
#
# Each process runs in its own session, so Ctrl-C reaches only this script, which stops them:
# SIGTERM, then SIGQUIT after 6 s (gunicorn's quick stop, Celery's cold shutdown: running
# tasks go back to the queue), then SIGKILL to each process group after 9 s.  Everything is
# down within 10 s.

_supervised_pids=()
_supervised_names=()
_supervise_stopping=0

supervise_start() {
  local name="$1"
  shift
  setsid "$@" &
  _supervised_pids+=($!)
  _supervised_names+=("$name")
}

supervise_stop() {
  [ "$_supervise_stopping" = 1 ] && return 0
  _supervise_stopping=1
  # A second signal (make passes SIGTERM on to its recipe while the test or the shell already
  # sent one) must not cut the stop short before everything is down and "Stopped." is said.
  trap '' INT TERM
  # Our messages on fd 3; bash's own "Quit"/"Killed" job notices are not news here.
  exec 3>&2 2>/dev/null
  echo "Stopping ${_supervised_names[*]}..." >&3
  local pid step alive
  for pid in "${_supervised_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for step in $(seq 1 90); do
    alive=0
    for pid in "${_supervised_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    if [ "$step" = 60 ]; then
      for pid in "${_supervised_pids[@]}"; do kill -QUIT "$pid" 2>/dev/null || true; done
    fi
    sleep 0.1
  done
  for pid in "${_supervised_pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && echo "Killing $pid (did not stop in time)" >&3
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  echo "Stopped." >&3
  exec 2>&3 3>&-
}

supervise_wait() {
  trap 'supervise_stop; exit 0' INT TERM
  local status=0
  wait -n "${_supervised_pids[@]}" || status=$?
  if [ "$_supervise_stopping" = 0 ]; then
    echo "A process exited (status $status); stopping the others." >&2
    supervise_stop
    exit 1
  fi
}
