#!/usr/bin/env bash
# Runs filterviz in one of two ways, and says which in one line on stderr:
#  - local mode, in one plain JVM with Spark from the build's class path: no --master, or --master local[...];
#  - spark-submit, for a cluster: --master yarn | spark://... | k8s://... (spark-submit from $SPARK_HOME/bin, else
#    PATH). Spark's own options pass through to it; the rest go to filterviz.
# Spark settings merge, never replace: conf/spark-defaults.conf fills in only the keys that neither the command line
# (--conf, --executor-memory, ...) nor the cluster's spark-defaults.conf ($SPARK_CONF_DIR, $SPARK_HOME/conf, or
# --properties-file) sets; JVM option keys (*.extraJavaOptions) get our -D flags appended unless they name them.
#   ./submit.sh [filterviz options]              e.g. ./submit.sh --weights random --filter-range 0:16
#   ./submit.sh --master yarn --deploy-mode cluster --executor-memory 2g [filterviz options]
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
spark_valued="${spark_valued//$'\n'/ }"   # one line, so that each option is matched with a blank on both sides

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

# --- Spark settings: the command line's, the cluster's file, ours (conf/spark-defaults.conf), in that order ---
# The value of KEY in a properties file as Spark reads it (key, then blanks, '=' or ':', then the value; last wins).
prop_value() {
  [ -f "$1" ] || return 1
  awk -v key="$2" '/^[[:space:]]*([#!]|$)/ { next }
    { line = $0; sub(/^[[:space:]]+/, "", line); k = line; sub(/[[:space:]=:].*$/, "", k); if (k != key) next
      v = substr(line, length(k) + 1); sub(/^[[:space:]]*[=:]?[[:space:]]*/, "", v); sub(/[[:space:]]+$/, "", v)
      value = v; found = 1 }
    END { if (found) print value; exit !found }' "$1"
}
prop_keys() { [ -f "$1" ] && awk '/^[[:space:]]*([#!]|$)/ { next } { sub(/^[[:space:]]+/, ""); sub(/[[:space:]=:].*$/, ""); print }' "$1" | sort -u; }
# spark-submit's options that stand for a Spark property
option_key() {
  case "$1" in
    --master) echo spark.master ;; --deploy-mode) echo spark.submit.deployMode ;; --name) echo spark.app.name ;;
    --driver-memory) echo spark.driver.memory ;; --driver-cores) echo spark.driver.cores ;;
    --driver-java-options) echo spark.driver.extraJavaOptions ;; --executor-memory) echo spark.executor.memory ;;
    --executor-cores) echo spark.executor.cores ;; --num-executors) echo spark.executor.instances ;;
    --total-executor-cores) echo spark.cores.max ;; --queue) echo spark.yarn.queue ;; --files) echo spark.files ;;
    --jars) echo spark.jars ;;
  esac
}
declare -A cli_conf=()     # what the command line sets, by Spark property
properties_file=""
set -- ${spark_args[@]+"${spark_args[@]}"}
while [ $# -gt 0 ]; do
  case "$1" in
    --conf) cli_conf["${2%%=*}"]="${2#*=}" ;;
    --properties-file) properties_file="$2" ;;
    --supervise) shift; continue ;;
    *) key="$(option_key "$1")"; [ -z "$key" ] || cli_conf["$key"]="$2" ;;
  esac
  shift 2
done
# JVM options: ours are appended to a value that does not name them already.
merge_java_options() {
  local merged="$1" flag
  for flag in $2; do
    case " $merged " in *" ${flag%%=*}="*|*" $flag "*) ;; *) merged="${merged:+$merged }$flag" ;; esac
  done
  printf '%s' "$merged"
}

master="${cli_conf[spark.master]:-}"
deploy_mode="${cli_conf[spark.submit.deployMode]:-client}"
case "$master" in ""|local|local\[*) use_spark_submit=false ;; *) use_spark_submit=true ;; esac
[ "$main_class_for_run" = "$main_class" ] || use_spark_submit=false   # bench times the compute path in this JVM

if $use_spark_submit; then
  spark_submit=""
  if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then spark_submit="$SPARK_HOME/bin/spark-submit"
  elif command -v spark-submit >/dev/null 2>&1; then spark_submit="$(command -v spark-submit)"
  else
    echo "filterviz: --master $master needs spark-submit (Spark 3.5, Scala 2.12): set SPARK_HOME or put its bin/ on PATH" >&2
    exit 2
  fi
  # The cluster's own defaults, as spark-submit will load them.
  spark_home="${SPARK_HOME:-$(cd "$(dirname "$(readlink -f "$spark_submit")")/.." && pwd)}"
  cluster_file="${properties_file:-${SPARK_CONF_DIR:-$spark_home/conf}/spark-defaults.conf}"
  ours="$here/conf/spark-defaults.conf"
  submit_args=()
  while read -r key; do
    value="$(prop_value "$ours" "$key")"
    if [[ "$key" == *.extraJavaOptions ]]; then
      if [ -n "${cli_conf[$key]+set}" ]; then base="${cli_conf[$key]}"
      else base="$(prop_value "$cluster_file" "$key" || true)"; fi
      merged="$(merge_java_options "$base" "$value")"
      [ "$merged" = "$base" ] || submit_args+=(--conf "$key=$merged")
    elif [ -z "${cli_conf[$key]+set}" ] && ! prop_value "$cluster_file" "$key" >/dev/null; then
      submit_args+=(--conf "$key=$value")
    fi
  done < <(prop_keys "$ours")
  if [ "$deploy_mode" = cluster ]; then
    # The driver runs on a cluster node: no path of this machine reaches it. The job defaults travel with
    # --files (added to the command line's or the cluster's list) and are read from the driver's working dir.
    job_defaults="$here/conf/filterviz.properties"
    for ((i = 0; i < ${#app_args[@]}; i++)); do
      case "${app_args[$i]}" in
        --conf-file) job_defaults="${app_args[$((i + 1))]}"; unset 'app_args[i]' 'app_args[i+1]'; i=$((i + 1)) ;;
        --conf-file=*) job_defaults="${app_args[$i]#--conf-file=}"; unset 'app_args[i]' ;;
      esac
    done
    app_args=(${app_args[@]+"${app_args[@]}"} --conf-file "$(basename "$job_defaults")")
    files="${cli_conf[spark.files]-$(prop_value "$cluster_file" spark.files || true)}"
    submit_args+=(--files "${files:+$files,}$(readlink -f "$job_defaults")")
    kept=(); set -- ${spark_args[@]+"${spark_args[@]}"}
    while [ $# -gt 0 ]; do
      case "$1" in --supervise) kept+=("$1"); shift ;; --files) shift 2 ;; *) kept+=("$1" "$2"); shift 2 ;; esac
    done
    spark_args=(${kept[@]+"${kept[@]}"})
  else
    # Client mode: the driver runs here, with the quiet console and the job defaults of this checkout.
    key=spark.driver.extraJavaOptions
    if [ -n "${cli_conf[$key]+set}" ]; then base="${cli_conf[$key]}"; else base="$(prop_value "$cluster_file" "$key" || true)"; fi
    merged="$(merge_java_options "$base" "-Dlog4j2.configurationFile=file:$here/conf/log4j2.properties -Dfilterviz.conf=$here/conf/filterviz.properties")"
    kept=(); set -- ${spark_args[@]+"${spark_args[@]}"}
    while [ $# -gt 0 ]; do
      case "$1" in --supervise) kept+=("$1"); shift ;; --driver-java-options) shift 2 ;; *) kept+=("$1" "$2"); shift 2 ;; esac
    done
    spark_args=(${kept[@]+"${kept[@]}"} --driver-java-options "$merged")
  fi
  echo "filterviz: submitting to $master ($deploy_mode deploy mode) with $spark_submit" >&2
  # Ours last: a merged *.extraJavaOptions must win over the command line's own --conf of that key (the last wins).
  exec "$spark_submit" --class "$main_class" ${spark_args[@]+"${spark_args[@]}"} \
    ${submit_args[@]+"${submit_args[@]}"} "$app_jar" ${app_args[@]+"${app_args[@]}"}
fi

# Local mode in one JVM: the driver and every task. Its heap is spark.driver.memory (command line, else
# conf/spark-defaults.conf), and JavaCPP's off-heap caps follow the sizing rule of conf/spark-defaults.conf for as
# many tasks as local[N] runs at once (unless the command line's --driver-java-options name them).
offheap_per_task_mb=768     # conf/spark-defaults.conf: off-heap memory one task needs (0.75 GB)
offheap_base_mb=768         # ... and what the JVM needs once (libnd4j, weights, Spark)
to_mb() {
  local n="${1%[kKmMgGtT]*}"
  case "$1" in *[kK]) echo $((n / 1024)) ;; *[mM]) echo "$n" ;; *[gG]) echo $((n * 1024)) ;; *[tT]) echo $((n * 1048576)) ;;
    *) echo $((n / 1048576)) ;; esac
}
master="${master:-local[*]}"
case "$master" in
  local) tasks=1 ;;
  local\[\*\]|local\[\*,*) tasks="$(nproc)" ;;
  *) tasks="${master#local[}"; tasks="${tasks%%[],]*}" ;;
esac
driver_memory="${cli_conf[spark.driver.memory]:-$(prop_value "$here/conf/spark-defaults.conf" spark.driver.memory || echo 1g)}"
offheap_mb=$((offheap_base_mb + tasks * offheap_per_task_mb))
java_options="$(merge_java_options "${cli_conf[spark.driver.extraJavaOptions]:-}" \
  "-Dorg.bytedeco.javacpp.maxbytes=${offheap_mb}m -Dorg.bytedeco.javacpp.maxphysicalbytes=$(( $(to_mb "$driver_memory") + offheap_mb + 512 ))m")"
read -r -a java_options_words <<< "$java_options"
jvm_args=(
  "@$here/conf/java17.args"
  "-Xmx$driver_memory" "${java_options_words[@]}"
  "-Dlog4j2.configurationFile=file:$here/conf/log4j2.properties"
  "-Dfilterviz.conf=$here/conf/filterviz.properties"
)
# The spark-submit options that mean something in one local JVM.
set -- ${spark_args[@]+"${spark_args[@]}"}
while [ $# -gt 0 ]; do
  case "$1" in
    --master) app_args+=(--master "$2") ;;
    --conf) jvm_args+=("-D$2") ;;
    --driver-memory|--driver-java-options) ;;
    --supervise) shift; continue ;;
    *) echo "filterviz: $1 is ignored in local mode" >&2 ;;
  esac
  shift 2
done
if [ "$main_class_for_run" = "$main_class" ]; then
  echo "filterviz: local mode in this JVM ($master: $tasks tasks at once, heap $driver_memory, off-heap cap ${offheap_mb}m);" \
    "--master yarn|spark://...|k8s://... submits to a cluster with spark-submit" >&2
fi
# One machine, no cluster: bind to loopback rather than hunt for a network address.
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
command=(java "${jvm_args[@]}" -cp "$local_jar:$(cat "$here/target/classpath.txt")" "$main_class_for_run"
  ${app_args[@]+"${app_args[@]}"})
[ -z "${FILTERVIZ_PRINT_COMMAND:-}" ] || echo "filterviz command: ${command[*]}" >&2
exec "${command[@]}"
