# bash completion for regwatch, the regwatch CLI (installed as
# /usr/share/bash-completion/completions/regwatch). tests/cli/completion_check.py fails when
# `regwatch --help` names a subcommand or long option this file does not.

_regwatch_global_opts="--help --version --config --collector --format --tls-ca --tls-cert --tls-key --tls-server-name --token --token-file --timeout --tz --local"
# Global options that take a value (the next word is not a subcommand).
_regwatch_value_opts="--config --collector --format --tls-ca --tls-cert --tls-key --tls-server-name --token --token-file --timeout --tz"
_regwatch_commands="events timeline where status incidents explain top alerts silence incident version"
_regwatch_kinds="phone_registered phone_unregistered phone_registration_failed heartbeat_low cpu_pegging code_yellow rtmt_alert link_down link_up poe_fault poe_removed err_disabled stack_member_removed mac_flap native_vlan_mismatch syslog_other agent_drops cpu_sample cpu_high cpu_normal interface_errors registered_phones snmp_poll_failed cm_failed device_restart ccm_phone_status_update ccm_phone_failed snmp_trap_other topology keepalive_missed keepalive_unanswered connection_lost keepalive_latency cm_slow cm_recovered phone_auth_failed snmp_data_missing cm_device_reset dhcp_lease dhcp_no_tftp_option dhcp_unanswered dhcp_nak boot_file_fetched boot_file_failed boot_stalled tftp_server_unanswered phone_firmware_changed"
_regwatch_sources="syslog snmp_poll snmp_trap sccp agent boot sip"
_regwatch_filter_opts="--since --until --kind --source --origin --reason --limit --oldest-first --spoofed"

_regwatch_zones() {
  local dir=${TZDIR:-/usr/share/zoneinfo}
  [[ -d $dir ]] || return
  (cd "$dir" && find . -type f -name '[A-Z]*' 2>/dev/null | sed 's|^\./||' | grep -v '^posix\|^right' )
}

_regwatch() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  # Values of the option just typed.
  case $prev in
    --format) COMPREPLY=($(compgen -W "table json jsonl csv" -- "$cur")); return ;;
    --kind) COMPREPLY=($(compgen -W "$_regwatch_kinds" -- "$cur")); return ;;
    --source) COMPREPLY=($(compgen -W "$_regwatch_sources" -- "$cur")); return ;;
    --state) COMPREPLY=($(compgen -W "open resolved withdrawn" -- "$cur")); return ;;
    --tz) COMPREPLY=($(compgen -W "UTC local $(_regwatch_zones)" -- "$cur")); return ;;
    --config|--tls-ca|--tls-cert|--tls-key|--token-file)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --since|--until|--at|--starts)
      COMPREPLY=($(compgen -W "now now-1h now-30m today yesterday 1h 2h 24h 7d" -- "$cur")); return ;;
    --collector|--tls-server-name|--token|--timeout|--origin|--reason|--limit|--device|--cause|\
    --scope|--match|--for|--comment|--author)
      return ;;
  esac
  # The subcommand (and silence's action) typed so far, skipping options and their values.
  local i word command="" action=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ " $_regwatch_value_opts " == *" $word "* ]]; then
      ((i++))
    elif [[ $word != -* ]]; then
      if [[ -z $command ]]; then command=$word
      elif [[ $command == silence && -z $action ]]; then action=$word
      fi
    fi
  done
  local opts=""
  case $command in
    "") if [[ $cur == -* ]]; then opts=$_regwatch_global_opts; else opts=$_regwatch_commands; fi ;;
    events) opts="$_regwatch_filter_opts --device --follow" ;;
    timeline) opts=$_regwatch_filter_opts ;;
    where|explain) opts="--at" ;;
    incidents) opts="--since --until --state --cause --scope --limit --follow" ;;
    top) opts="--since --until --limit" ;;
    alerts) opts="--all --since" ;;
    silence)
      case $action in
        "") [[ $cur != -* ]] && { COMPREPLY=($(compgen -W "add list expire" -- "$cur")); return; } ;;
        add) opts="--match --for --until --starts --comment --author" ;;
        list) opts="--all" ;;
      esac ;;
  esac
  [[ -n $command ]] && opts="$opts --help $_regwatch_global_opts"
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _regwatch regwatch
