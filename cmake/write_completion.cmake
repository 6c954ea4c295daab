# Build step: runs `hookfan completion bash` and writes its output to OUT (a file, so the
# build and the install use the script generated from this very binary).
execute_process(COMMAND ${HOOKFAN} completion bash OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "hookfan completion bash failed: ${status}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
