#!/usr/bin/env bash
# Runs filterviz. With spark-submit on PATH (or $SPARK_HOME set) the application jar is submitted and Spark's own
# options pass through to spark-submit; otherwise the job runs in local mode in one plain JVM.
#   ./submit.sh [filterviz options]              e.g. ./submit.sh --weights random --filter-range 0:16
#   ./submit.sh --master spark://host:7077 --executor-memory 8g [filterviz options]
#   ./submit.sh --help
#   ./submit.sh bench [--sizes 224,343] [--steps N] [--schedule]   times the compute path alone
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app_jar="$here/target/filterviz-app.jar"     # for spark-submit: everything but Spark
local_jar="$here/target/filterviz.jar"       # for local mode, with target/classpath.txt
main_class=io.filterviz.cli.Main

# spark-submit's options that take a value, and those that do not
spark_valued=" --master --deploy-mode --conf --name --jars --packages --exclude-packages --repositories --files
  --archives --properties-file --driver-memory --driver-java-options --driver-library-path --driver-class-path
  --driver-cores --executor-memory --executor-cores --total-executor-cores --num-executors --queue --principal
  --keytab --py-files "
spark_flags=" --supervise "

main_class_for_run=$main_class
if [ "${1:-}" = bench ]; then main_class_for_run=io.filterviz.bench.Bench; shift; fi

spark_args=()
app_args=()
while [ $# -gt 0 ]; do
  case "$spark_valued" in
    *" ${1%%=*} "*)
      if [[ "$1" == *=* ]]; then spark_args+=("${1%%=*}" "${1#*=}"); shift
      else spark_args+=("$1" "${2:?$1 needs a value}"); shift 2; fi
      continue ;;
  esac
  case "$spark_flags" in *" $1 "*) spark_args+=("$1"); shift; continue ;; esac
  app_args+=("$1"); shift
done

if [ ! -f "$app_jar" ] || [ ! -f "$local_jar" ] || [ ! -f "$here/target/classpath.txt" ] \
   || [ -n "$(find "$here/src/main" "$here/pom.xml" -newer "$local_jar" -print -quit 2>/dev/null)" ]; then
  echo "filterviz: building the application jar (first run, or the sources changed)..." >&2
  (cd "$here" && mvn -q -B -DskipTests package) >&2
fi

spark_submit=""
if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then spark_submit="$SPARK_HOME/bin/spark-submit"
elif command -v spark-submit >/dev/null 2>&1; then spark_submit="$(command -v spark-submit)"; fi

if [ -n "$spark_submit" ] && [ "$main_class_for_run" = "$main_class" ]; then
  exec "$spark_submit" --class "$main_class" --properties-file "$here/conf/spark-defaults.conf" \
    --driver-java-options "-Dlog4j2.configurationFile=file:$here/conf/log4j2.properties -Dfilterviz.conf=$here/conf/filterviz.properties" \
    ${spark_args[@]+"${spark_args[@]}"} "$app_jar" ${app_args[@]+"${app_args[@]}"}
fi

# Local mode in one JVM: Spark comes from the build's class path; Java 17 needs the flags Spark's launcher adds.
jvm_args=(
  "@$here/conf/java17.args"
  "-Dlog4j2.configurationFile=file:$here/conf/log4j2.properties"
  "-Dfilterviz.conf=$here/conf/filterviz.properties"
)
# Translate the spark-submit options that mean something in one local JVM.
set -- ${spark_args[@]+"${spark_args[@]}"}
while [ $# -gt 0 ]; do
  case "$1" in
    --master) app_args+=(--master "$2") ;;
    --conf) jvm_args+=("-D$2") ;;
    --driver-memory) jvm_args+=("-Xmx$2") ;;
    --driver-java-options) read -r -a extra <<< "$2"; jvm_args+=("${extra[@]}") ;;
    --supervise) shift; continue ;;
    *) echo "filterviz: $1 is ignored in local mode (no spark-submit found)" >&2 ;;
  esac
  shift 2
done
# One machine, no cluster: bind to loopback rather than hunt for a network address.
case " ${app_args[*]+"${app_args[*]}"} " in
  *" --master spark:"*|*" --master yarn"*|*" --master k8s:"*|*" --master mesos:"*) ;;
  *) export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" ;;
esac
exec java "${jvm_args[@]}" -cp "$local_jar:$(cat "$here/target/classpath.txt")" "$main_class_for_run" ${app_args[@]+"${app_args[@]}"}
