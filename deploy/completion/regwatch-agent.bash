# bash completion for regwatch-agent (installed as
# /usr/share/bash-completion/completions/regwatch-agent). tests/cli/completion_check.py fails
# when `regwatch-agent --help` names a long option this file does not.

_regwatch_agent() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  case $prev in
    --log-level) COMPREPLY=($(compgen -W "trace debug info warn error" -- "$cur")); return ;;
    --log-format) COMPREPLY=($(compgen -W "text json logfmt" -- "$cur")); return ;;
    --drop-policy) COMPREPLY=($(compgen -W "drop_oldest drop_newest" -- "$cur")); return ;;
    --capture)
      COMPREPLY=($(compgen -W "any $(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
    --config|--replay-syslog|--replay-pcap|--decode-pcap|--token-file|--tls-ca|--tls-cert|--tls-key)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --spool-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --collector|--agent-id|--spool-max-size|--syslog-udp|--syslog-tcp|--replay-timeout|\
    --replay-agent-id|--snmp-traps|--snmp-community|--token|--tls-server-name|--metrics)
      return ;;
  esac
  COMPREPLY=($(compgen -W "--help --version --config --print-default-config --check-config
    --collector --agent-id --spool-dir --spool-max-size --drop-policy --syslog-udp --syslog-tcp
    --replay-syslog --replay-pcap --decode-pcap --capture --replay-timeout --replay-agent-id --allow-duplicates
    --snmp-traps --snmp-community --token --token-file --tls-ca --tls-cert --tls-key
    --tls-server-name --log-level --log-format --metrics" -- "$cur"))
}
complete -F _regwatch_agent regwatch-agent
