# bash completion for regwatch-collector (installed as
# /usr/share/bash-completion/completions/regwatch-collector). tests/cli/completion_check.py
# fails when `regwatch-collector --help` names a long option this file does not.

_regwatch_collector() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  # `regwatch-collector migrate --from ... --to ...` copies a store (docs/postgresql.md).
  if [[ ${COMP_WORDS[1]} == migrate ]]; then
    case $prev in
      --from) COMPREPLY=($(compgen -f -- "$cur")); return ;;
      --to|--chunk-rows) return ;;
    esac
    COMPREPLY=($(compgen -W "--help --from --to --chunk-rows" -- "$cur"))
    return
  fi
  case $prev in
    --log-level) COMPREPLY=($(compgen -W "trace debug info warn error" -- "$cur")); return ;;
    --log-format) COMPREPLY=($(compgen -W "text json logfmt" -- "$cur")); return ;;
    --config|--db|--tls-cert|--tls-key|--tls-client-ca)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --listen|--http|--retention-days) return ;;
  esac
  COMPREPLY=($(compgen -W "--help --version --config --print-default-config --check-config
    --listen --db --retention-days --tls-cert --tls-key --tls-client-ca --log-level --log-format
    --http migrate" -- "$cur"))
}
complete -F _regwatch_collector regwatch-collector
