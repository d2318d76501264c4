#pragma once
// What every CSV trace reader (traces.h's built-in formats, trace_declared.h's declared
// columns) does the same way: opening the file, reading a row, refusing a job id used
// twice, and putting the jobs in submission order from the trace's zero. Refusals are
// UserErrors naming file, line and column.
#include <cstddef>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/csv_reader.h"
#include "scheduler/earliest_jobs.h"
#include "scheduler/traces.h"

namespace podsim::scheduler {

// Every time and length relative to the trace's first submission stays within 1e9 s
// (31.7 years), the range of a scenario's own times (horizon_s, arrival_s): every
// simulated instant fits int64 nanoseconds.
inline constexpr double kMaxTraceSeconds = 1e9;
// GPUs of one job: 1e7 is 10x the largest announced cluster, as a scenario job's
// `devices` (scenario/field_ranges.cc).
inline constexpr uint32_t kMaxTraceDevices = 10'000'000;
// Epoch times up to 1e11 s (year 5138): beyond that a column is not seconds since 1970
// (and a double no longer holds whole seconds of such times past 2^53).
inline constexpr double kMaxEpochSeconds = 1e11;

// True for a cell that holds no value: empty, or how exports spell a missing one --
// pandas ("NaN", "nan", "NaT" for a missing time, "None"), SQL ("null", "NULL"), Slurm's
// sacct ("Unknown" for the end of a job still running, the start of one still pending).
bool missing_cell(const std::string& s);

// Refuses a file whose first bytes say it is no text table: compressed (gzip, xz, bzip2,
// zstd: SWF logs ship as .swf.gz, Philly and PAI as .tar.gz), an archive or workbook (zip,
// xlsx, xls), Parquet, or JSON (Philly's cluster_job_log) -- "PATH:1: gzip-compressed
// data (expected EXPECTED; decompress it first: gunzip)". Read as text, such a file
// gave "missing column 'job_id' (... header: ????X(?k...)" or "2 fields, expected 18".
// `in` is left at its start. REQUIRES: nothing has been read from `in` yet.
void refuse_other_format(std::istream& in, const std::string& path, std::string_view expected);

// `path` opened for reading; a directory or an unreadable file is refused.
std::ifstream open_trace_file(const std::string& path);

// The next record (engine/csv_reader.h does the RFC 4180 tokenising), the spaces around
// its cells trimmed, as exports pad them ("1, 2"). Nullopt at the end; an unclosed quote
// is refused.
std::optional<CsvRecord> next_trace_row(CsvReader& csv);

// The header record: the first that is not blank (as pandas skips leading blank lines).
// Nullopt if there is none. A header of one cell holding a tab, '|' or ';' is refused
// ("PATH:LINE: tab-separated; expected comma-separated CSV ..."): a file of another
// dialect, whose every row would read as one cell.
std::optional<CsvRecord> next_header_row(CsvReader& csv);

// The index of column `name` in `header`, nullopt if absent. A name the header holds
// twice is refused ("WHERE: column 'X' is named twice in the header (columns 2 and 5;
// expected each name once)"): which of the two a trace means cannot be told.
std::optional<size_t> find_column(const std::vector<std::string>& header, const std::string& name,
                                  const std::string& where);

// The refusal of a header without column `name`, one line:
//   "WHERE: missing column 'submit_time' (WHY; the header has 'Submit_Time', column 7;
//    header: job_id,user,...,gpu_num,... (40 columns))"
// The header's names as printable() quotes each (control and non-ASCII bytes as '?', a
// name cut at 40 characters), as many as fit in kMaxHeaderText characters, then how many
// there are. A name that differs from `name` only in case and '_', '-', '.', ' ' (or
// by up to two letters, of a name of 6 to 64) is named with its column: in a long
// header it may be past the cut, and it is the likely fix.
inline constexpr size_t kMaxHeaderText = 160;
std::string missing_column_message(const std::string& where, const std::string& name, const std::string& why,
                                   const std::vector<std::string>& header);

// Refuses a row with more cells than the header names ("PATH:LINE: 6 columns, expected
// 4 ..."): an unquoted comma inside a cell ("1,000") shifts every later cell, so the
// row's values would be read from the wrong columns. Extra cells that are all blank (a
// trailing comma on every row) are accepted. Shorter rows are refused by the readers
// only where a needed cell is missing.
void check_row_width(const CsvRecord& row, size_t header_size, const std::string& path);

// The name of the job read from row `line`: its id cell, or when there is none (no id
// column, or a blank cell: an export's hole) "line<LINE>", so that every job of outputs
// and messages can be found in the file.
std::string job_name(const std::string& id_cell, size_t line);

// Refuses two replayed jobs of one id (they would be two jobs of one name): "PATH:LINE:
// column 'C': job id 'X' is already used on line N (expected unique ids)", at the first
// repeat in file order; when 'X' is what job_name() names a blank id, the message says
// so. Checked once the trace is read, by sorting (no map of every id held while
// reading: it was a quarter of a large trace's peak memory). `column` names
// the id column. `jobs` in any order.
// A trace replayed in part (max_jobs) is checked among the jobs replayed: a repeat
// beyond the cut names no job of the run, and finding it would mean holding every id
// of the trace, which the cut is there to avoid.
void check_unique_ids(const std::vector<TraceJob>& jobs, const std::string& column, const std::string& path);

// Puts the kept jobs in trace.jobs in replay order (submit time as read, then file
// line), from the trace's zero. Refuses a trace without rows (a header alone).
// `absolute`: the submit times are points on a calendar, so the trace starts at its
// first submission; a trace whose latest submission is more than kMaxTraceSeconds after
// its first is refused at that row (`submit_column` names the column), cut or not.
void order_trace(Trace& trace, EarliestJobs&& kept, bool absolute, const std::string& submit_column,
                 const std::string& path);

}  // namespace podsim::scheduler
