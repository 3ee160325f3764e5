# `cmake --install BUILD [--prefix /usr]` (DESTDIR honoured): the three binaries, the configs,
# the systemd units, the man pages and the shell completion. tools/package.sh builds the Debian
# packages from this same install; docs/deployment.md says where each file goes and why.
#
# /etc and the unit directory are chosen when installing, from the prefix given then (so
# `tools/package.sh --build-dir` can install a build configured for /usr/local with --prefix /usr):
#   prefix /usr:   /etc/regwatch,       /lib/systemd/system   (Debian 12's places)
#   other prefix:  <prefix>/etc/regwatch, <prefix>/lib/systemd/system
# A config already in place is kept (a hand install run twice must not overwrite what the admin
# changed); the shipped ones are also in share/doc/regwatch/examples to compare with.
include(GNUInstallDirs)

install(TARGETS regwatch-agent regwatch-collector regwatch
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(regwatch_deploy_dir ${PROJECT_SOURCE_DIR}/deploy)

# The CLI's config comes with the CLI (deploy/cli.example.yaml); until it exists, an empty one
# that names where the settings are documented.
set(regwatch_cli_config ${regwatch_deploy_dir}/cli.example.yaml)
if(NOT EXISTS ${regwatch_cli_config})
  set(regwatch_cli_config ${PROJECT_BINARY_DIR}/deploy/cli.yaml)
  file(WRITE ${regwatch_cli_config}
    "# regwatch CLI configuration: see regwatch(1). Empty: the built-in defaults apply\n"
    "# (the collector on 127.0.0.1:7443).\n")
endif()

# Installed configs: working loopback defaults (deploy/etc/regwatch/); the annotated examples
# with every section go to the documentation.
set(regwatch_etc_files
  ${regwatch_deploy_dir}/etc/regwatch/agent.yaml
  ${regwatch_deploy_dir}/etc/regwatch/collector.yaml)
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(regwatch_etc /etc/regwatch)
  else()
    set(regwatch_etc \"\${CMAKE_INSTALL_PREFIX}/etc/regwatch\")
  endif()
  foreach(src ${regwatch_etc_files} ${regwatch_cli_config})
    get_filename_component(name \"\${src}\" NAME)
    if(name STREQUAL \"cli.example.yaml\")
      set(name cli.yaml)
    endif()
    if(EXISTS \"\$ENV{DESTDIR}\${regwatch_etc}/\${name}\")
      message(STATUS \"Kept: \$ENV{DESTDIR}\${regwatch_etc}/\${name} (the shipped one is in the examples of share/doc)\")
    else()
      file(INSTALL DESTINATION \"\${regwatch_etc}\" TYPE FILE RENAME \"\${name}\" FILES \"\${src}\")
    endif()
  endforeach()
  # The units name /usr/bin and /etc/regwatch; under another prefix they name its places
  # instead (and systemd reads them only once linked: docs/deployment.md).
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    file(INSTALL DESTINATION /lib/systemd/system TYPE FILE FILES
         \"${regwatch_deploy_dir}/systemd/regwatch-agent.service\"
         \"${regwatch_deploy_dir}/systemd/regwatch-collector.service\")
  else()
    foreach(unit regwatch-agent.service regwatch-collector.service)
      file(READ \"${regwatch_deploy_dir}/systemd/\${unit}\" text)
      string(REPLACE \"/usr/bin/\" \"\${CMAKE_INSTALL_PREFIX}/bin/\" text \"\${text}\")
      string(REPLACE \"/etc/regwatch/\" \"\${regwatch_etc}/\" text \"\${text}\")
      set(unit_file \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system/\${unit}\")
      message(STATUS \"Installing: \${unit_file}\")
      file(WRITE \"\${unit_file}\" \"\${text}\")
    endforeach()
  endif()
")

install(FILES
  ${regwatch_deploy_dir}/agent.example.yaml
  ${regwatch_deploy_dir}/collector.example.yaml
  ${regwatch_etc_files}
  ${regwatch_cli_config}
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${regwatch_deploy_dir}/systemd/regwatch-agent-capture.conf
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples RENAME capture.conf)

# Shell completion, written with the CLI (deploy/completion/): each file that exists.
foreach(command regwatch regwatch-agent regwatch-collector)
  if(EXISTS ${regwatch_deploy_dir}/completion/${command}.bash)
    install(FILES ${regwatch_deploy_dir}/completion/${command}.bash
            DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ${command})
  endif()
  if(EXISTS ${regwatch_deploy_dir}/completion/_${command})
    install(FILES ${regwatch_deploy_dir}/completion/_${command}
            DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
  endif()
endforeach()

# Man pages: help2man runs each binary's --help and --version (the one source of the options)
# and adds deploy/man/<command>.h2m (files, signals, exit status, environment, see also);
# deploy/man/examples_nofill.awk keeps the examples one a line.
# Without help2man the build says so and installs no pages.
find_program(REGWATCH_HELP2MAN help2man)
if(REGWATCH_HELP2MAN)
  set(regwatch_man_pages)
  function(regwatch_man_page command section summary)
    set(include_file ${regwatch_deploy_dir}/man/${command}.h2m)
    set(output ${PROJECT_BINARY_DIR}/man/${command}.${section})
    add_custom_command(
      OUTPUT ${output}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${REGWATCH_HELP2MAN} --no-info --no-discard-stderr --section=${section}
              "--name=${summary}" --include=${include_file} --output=${output}.help2man
              $<TARGET_FILE:${command}>
      COMMAND awk -f ${regwatch_deploy_dir}/man/examples_nofill.awk ${output}.help2man > ${output}
      DEPENDS ${command} ${include_file} ${regwatch_deploy_dir}/man/examples_nofill.awk
      COMMENT "help2man: ${command}(${section})"
      VERBATIM)
    install(FILES ${output} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
    set(regwatch_man_pages ${regwatch_man_pages} ${output} PARENT_SCOPE)
  endfunction()
  regwatch_man_page(regwatch 1 "query phone registration events and incidents from the collector")
  regwatch_man_page(regwatch-agent 8
                    "receive syslog, SNMP and SCCP and ship events to the collector")
  regwatch_man_page(regwatch-collector 8 "store phone registration events, correlate and alert")
  add_custom_target(regwatch_man_pages ALL DEPENDS ${regwatch_man_pages})
else()
  message(STATUS "help2man not found: no man pages (tools/setup.sh installs it)")
endif()
