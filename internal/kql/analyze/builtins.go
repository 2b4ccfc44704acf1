package analyze

import (
	"strconv"
	"strings"
	"sync"
)

// Function describes a built-in function: its arity range (Max -1 means
// variadic), result type ("" when it depends on the arguments: see Same)
// and whether it is an aggregation (valid in summarize/make-series).
type Function struct {
	Name      string
	Min, Max  int
	Result    string // a KQL type, or "" with SameAsArg >= 0
	SameAsArg int    // result has the type of this argument; -1 when Result is set
	Aggregate bool
}

// builtinSpec lists built-ins as "name min max result", separated by ';'.
// A result of "#0" means "type of argument 0"; a leading '@' marks an
// aggregation. Deprecated aliases seen in the wild are included.
const builtinSpec = `abs 1 1 #0;acos 1 1 real;ago 1 1 datetime;array_concat 1 -1 dynamic;
array_index_of 2 4 long;array_iff 3 3 dynamic;array_length 1 1 long;array_reverse 1 1 dynamic;
array_rotate_left 2 2 dynamic;array_rotate_right 2 2 dynamic;array_shift_left 2 3 dynamic;
array_shift_right 2 3 dynamic;array_slice 3 3 dynamic;array_sort_asc 1 -1 dynamic;
array_sort_desc 1 -1 dynamic;array_split 2 2 dynamic;array_sum 1 1 real;asin 1 1 real;
atan 1 1 real;atan2 2 2 real;bag_has_key 2 2 bool;bag_keys 1 1 dynamic;bag_merge 1 -1 dynamic;
bag_pack 0 -1 dynamic;bag_pack_columns 1 -1 dynamic;bag_remove_keys 2 2 dynamic;bag_set_key 3 3 dynamic;
base64_decode_toarray 1 1 dynamic;base64_decode_toguid 1 1 guid;base64_decode_tostring 1 1 string;
base64_decodestring 1 1 string;base64_encode_fromarray 1 1 string;base64_encode_fromguid 1 1 string;
base64_encode_tostring 1 1 string;base64_encodestring 1 1 string;beta_cdf 3 3 real;bin 2 2 #0;
bin_at 3 3 #0;bin_auto 1 1 #0;binary_and 2 2 long;binary_not 1 1 long;binary_or 2 2 long;
binary_shift_left 2 2 long;binary_shift_right 2 2 long;binary_xor 2 2 long;bitset_count_ones 1 1 long;
case 3 -1 #1;ceiling 1 1 #0;coalesce 1 -1 #0;column_ifexists 2 2 #1;convert_angle 3 3 real;
cos 1 1 real;cot 1 1 real;countof 2 3 long;current_cluster_endpoint 0 0 string;
current_database 0 0 string;current_principal 0 0 string;current_principal_details 0 0 dynamic;
cursor_current 0 0 string;datetime_add 3 3 datetime;datetime_diff 3 3 long;datetime_part 2 2 int;
datetime_local_to_utc 2 2 datetime;datetime_utc_to_local 2 2 datetime;dayofmonth 1 1 int;
dayofweek 1 1 timespan;dayofyear 1 1 int;dcount_hll 1 1 long;degrees 1 1 real;endofday 1 2 datetime;
endofmonth 1 2 datetime;endofweek 1 2 datetime;endofyear 1 2 datetime;estimate_data_size 1 -1 long;
exp 1 1 real;exp10 1 1 real;exp2 1 1 real;extract 3 4 string;extract_all 2 4 dynamic;
extractall 2 4 dynamic;extractjson 2 3 string;format_bytes 1 3 string;format_datetime 2 2 string;
format_ipv4 1 2 string;format_ipv4_mask 1 2 string;format_timespan 2 2 string;floor 2 2 #0;
gamma 1 1 real;geo_distance_2points 4 4 real;geo_info_from_ip_address 1 1 dynamic;getmonth 1 1 int;
gettype 1 1 string;getyear 1 1 int;gzip_compress_to_base64_string 1 1 string;
gzip_decompress_from_base64_string 1 1 string;has_any_index 2 2 long;has_ipv4 2 2 bool;
has_ipv4_prefix 2 2 bool;has_any_ipv4 2 -1 bool;has_any_ipv4_prefix 2 -1 bool;hash 1 2 long;
hash_combine 2 -1 long;hash_md5 1 1 string;hash_sha1 1 1 string;hash_sha256 1 1 string;
hash_xxhash64 1 2 long;hourofday 1 1 int;iff 3 3 #1;iif 3 3 #1;indexof 2 5 long;
indexof_regex 2 4 long;ingestion_time 0 0 datetime;ipv4_compare 2 4 long;ipv4_is_in_any_range 2 -1 bool;
ipv4_is_in_range 2 2 bool;ipv4_is_match 2 3 bool;ipv4_is_private 1 1 bool;ipv4_netmask_suffix 1 1 long;
ipv6_compare 2 4 long;ipv6_is_match 2 3 bool;isascii 1 1 bool;isempty 1 1 bool;isfinite 1 1 bool;
isinf 1 1 bool;isnan 1 1 bool;isnotempty 1 1 bool;isnotnull 1 1 bool;isnull 1 1 bool;
isutf8 1 1 bool;jaccard_index 2 2 real;log 1 1 real;log10 1 1 real;log2 1 1 real;loggamma 1 1 real;
make_datetime 3 7 datetime;make_string 1 -1 string;make_timespan 2 4 timespan;makestring 1 -1 string;
materialize 1 1 #0;max_of 1 -1 #0;min_of 1 -1 #0;monthofyear 1 1 int;new_guid 0 0 guid;
next 1 3 #0;not 1 1 bool;notempty 1 1 bool;notnull 1 1 bool;now 0 1 datetime;pack 0 -1 dynamic;
pack_all 0 1 dynamic;pack_array 0 -1 dynamic;pack_dictionary 0 -1 dynamic;parse_command_line 2 2 dynamic;
parse_csv 1 1 dynamic;parse_ipv4 1 1 long;parse_ipv4_mask 2 2 long;parse_ipv6 1 1 string;
parse_ipv6_mask 2 2 string;parse_json 1 1 dynamic;parse_path 1 1 dynamic;parse_url 1 1 dynamic;
parse_urlquery 1 1 dynamic;parse_user_agent 2 2 dynamic;parse_version 1 1 decimal;parse_xml 1 1 dynamic;
parsejson 1 1 dynamic;percentile_array_tdigest 2 -1 dynamic;percentile_tdigest 2 3 #0;pi 0 0 real;
pow 2 2 real;prev 1 3 #0;radians 1 1 real;rand 0 1 real;range 3 3 dynamic;rank_tdigest 2 2 long;
regex_quote 1 1 string;repeat 2 2 dynamic;replace 3 3 string;replace_regex 3 3 string;
replace_string 3 3 string;replace_strings 3 3 string;reverse 1 1 string;round 1 2 #0;
row_cumsum 1 2 #0;row_number 0 2 long;row_rank_dense 1 2 long;row_rank_min 1 2 long;
row_window_session 4 5 datetime;series_add 2 2 dynamic;series_decompose 1 5 dynamic;
series_decompose_anomalies 1 7 dynamic;series_decompose_forecast 2 5 dynamic;series_divide 2 2 dynamic;
series_fill_backward 1 2 dynamic;series_fill_const 1 3 dynamic;series_fill_forward 1 2 dynamic;
series_fill_linear 1 4 dynamic;series_fir 2 4 dynamic;series_fit_2lines 1 2 dynamic;
series_fit_2lines_dynamic 1 2 dynamic;series_fit_line 1 1 dynamic;series_fit_line_dynamic 1 1 dynamic;
series_iir 3 3 dynamic;series_multiply 2 2 dynamic;series_outliers 1 5 dynamic;series_pearson_correlation 2 2 real;
series_periods_detect 4 4 dynamic;series_periods_validate 2 -1 dynamic;series_seasonal 1 2 dynamic;
series_stats 1 2 dynamic;series_stats_dynamic 1 2 dynamic;series_subtract 2 2 dynamic;
set_difference 2 -1 dynamic;set_has_element 2 2 bool;set_intersect 2 -1 dynamic;set_union 2 -1 dynamic;
sign 1 1 #0;sin 1 1 real;split 2 3 dynamic;sqrt 1 1 real;startofday 1 2 datetime;
startofmonth 1 2 datetime;startofweek 1 2 datetime;startofyear 1 2 datetime;strcat 1 -1 string;
strcat_array 2 2 string;strcat_delim 3 -1 string;strcmp 2 2 int;string_size 1 1 long;strlen 1 1 long;
strrep 2 3 string;substring 2 3 string;tan 1 1 real;tdigest_merge 1 -1 string;to_utf8 1 1 dynamic;
toarray 1 1 dynamic;tobool 1 1 bool;toboolean 1 1 bool;todatetime 1 1 datetime;todecimal 1 1 decimal;
todouble 1 1 real;todynamic 1 1 dynamic;toguid 1 1 guid;tohex 1 2 string;toint 1 1 int;
tolong 1 1 long;tolower 1 1 string;toobject 1 1 dynamic;toreal 1 1 real;toscalar 1 1 #0;
tostring 1 1 string;totimespan 1 1 timespan;toupper 1 1 string;translate 3 3 string;treepath 1 1 dynamic;
trim 2 2 string;trim_end 2 2 string;trim_start 2 2 string;typeof 1 1 string;unicode_codepoints_from_string 1 1 dynamic;
unicode_codepoints_to_string 1 -1 string;unixtime_microseconds_todatetime 1 1 datetime;
unixtime_milliseconds_todatetime 1 1 datetime;unixtime_nanoseconds_todatetime 1 1 datetime;
unixtime_seconds_todatetime 1 1 datetime;url_decode 1 1 string;url_encode 1 1 string;
url_encode_component 1 1 string;week_of_year 1 1 int;weekofyear 1 1 int;welch_test 6 7 dynamic;
zip 2 -1 dynamic;zlib_compress_to_base64_string 1 1 string;zlib_decompress_from_base64_string 1 1 string;
@any 1 -1 #0;@anyif 2 2 #0;@arg_max 2 -1 #0;@arg_min 2 -1 #0;@argmax 2 -1 #0;@argmin 2 -1 #0;
@avg 1 1 real;@avgif 2 2 real;@binary_all_and 1 1 long;@binary_all_or 1 1 long;@binary_all_xor 1 1 long;
@buildschema 1 1 dynamic;@count 0 1 long;@count_distinct 1 1 long;@count_distinctif 2 2 long;
@countif 1 1 long;@dcount 1 2 long;@dcountif 2 3 long;@hll 1 2 string;@hll_if 2 3 string;@hll_merge 1 -1 string;
@make_bag 1 2 dynamic;@make_bag_if 2 3 dynamic;@make_list 1 2 dynamic;@make_list_if 2 3 dynamic;
@make_list_with_nulls 1 1 dynamic;@make_set 1 2 dynamic;@make_set_if 2 3 dynamic;@makelist 1 2 dynamic;
@makeset 1 2 dynamic;@max 1 1 #0;@maxif 2 2 #0;@min 1 1 #0;@minif 2 2 #0;@percentile 2 2 #0;
@percentiles 2 -1 #0;@percentiles_array 2 -1 dynamic;@percentilew 3 3 #0;@percentilesw 3 -1 #0;
@stdev 1 1 real;@stdevif 2 2 real;@stdevp 1 1 real;@sum 1 1 #0;@sumif 2 2 #0;@take_any 1 -1 #0;
@take_anyif 2 2 #0;@tdigest 1 2 string;@tdigest_merge 1 1 string;@variance 1 1 real;@varianceif 2 2 real;
@variancep 1 1 real;@make_set_with_nulls 1 1 dynamic`

// builtins maps a function name to its description, parsed on first use
// rather than at start-up (issue 16).
var builtins = sync.OnceValue(func() map[string]*Function { return parseBuiltins(builtinSpec) })

func parseBuiltins(spec string) map[string]*Function {
	out := map[string]*Function{}
	for _, item := range strings.Split(spec, ";") {
		f := strings.Fields(item)
		if len(f) != 4 {
			continue
		}
		fn := &Function{Name: f[0], SameAsArg: -1}
		if strings.HasPrefix(fn.Name, "@") {
			fn.Name, fn.Aggregate = fn.Name[1:], true
		}
		fn.Min, _ = strconv.Atoi(f[1])
		fn.Max, _ = strconv.Atoi(f[2])
		if strings.HasPrefix(f[3], "#") {
			fn.SameAsArg, _ = strconv.Atoi(f[3][1:])
		} else {
			fn.Result = f[3]
		}
		out[fn.Name] = fn
	}
	return out
}

// Builtin returns the description of a built-in function.
func Builtin(name string) (*Function, bool) {
	f, ok := builtins()[name]
	return f, ok
}

// plugins are the evaluate plugins known to the analyzer; their output
// columns depend on the data, so the row type becomes open.
var plugins = map[string]bool{
	"bag_unpack": true, "pivot": true, "narrow": true, "autocluster": true, "basket": true,
	"diffpatterns": true, "ipv4_lookup": true, "ipv6_lookup": true, "preview": true,
	"schema_merge": true, "sequence_detect": true, "session_count": true, "sliding_window_counts": true,
	"funnel_sequence": true, "funnel_sequence_completion": true, "activity_counts_metrics": true,
	"activity_engagement": true, "activity_metrics": true, "new_activity_metrics": true,
	"rolling_percentile": true, "dcount_intersect": true, "market_basket": true, "infer_storage_schema": true,
	"http_request": true, "http_request_post": true, "sql_request": true, "cosmosdb_sql_request": true,
	"geo_point_to_h3cell": true, "hll_merge": true, "percentiles_array": true, "series_fit_poly": true,
}
