//! `kpitree measurements merge` and `kpitree check --measurements`: data files exported from
//! spreadsheets and warehouses, merged into a tree by `kpitree_core::measurements`.

use crate::human::{self, Esc};
use crate::input::{self, CliError};
use clap::ValueEnum;
use kpitree_core::csv::CsvMeta;
use kpitree_core::measurements::{self, Counts, Data, DataFormat, DateOrder};
use kpitree_core::{Format, Tree};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `--date-order`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrderArg {
    /// Day first: 27/11/2026.
    Dmy,
    /// Month first: 11/27/2026.
    Mdy,
}

/// How data files are read.
#[derive(clap::Args, Debug)]
pub struct DataFlags {
    /// How the data files write NN/NN/YYYY dates: dmy (27/11/2026) or mdy (11/27/2026). Without it
    /// such dates are refused.
    #[arg(long, value_enum, value_name = "ORDER")]
    date_order: Option<DateOrderArg>,
}

impl DataFlags {
    fn order(&self) -> Option<DateOrder> {
        self.date_order.map(|o| match o {
            DateOrderArg::Dmy => DateOrder::Dmy,
            DateOrderArg::Mdy => DateOrder::Mdy,
        })
    }
}

/// `kpitree check --measurements DATA`.
#[derive(clap::Args, Debug)]
pub struct MeasurementFlags {
    /// Merge KPI measurements or key-result check-ins from this data file before checking
    /// (repeatable): CSV or JSON rows of kpi_id,date,value or kr_id,date,value[,confidence,note].
    #[arg(long = "measurements", value_name = "DATA")]
    pub sources: Vec<PathBuf>,
    #[command(flatten)]
    data: DataFlags,
}

/// The tree with the data of `--measurements` merged in (the tree itself when there is none).
pub fn apply(tree_file: &Path, tree: Tree, flags: &MeasurementFlags) -> Result<Tree, CliError> {
    if flags.sources.is_empty() {
        return Ok(tree);
    }
    Ok(merge_files(tree_file, tree, &flags.sources, &flags.data)?.0)
}

/// Reads the data files and merges them into `tree`; every problem of every file is one error.
fn merge_files(
    tree_file: &Path,
    tree: Tree,
    files: &[PathBuf],
    flags: &DataFlags,
) -> Result<(Tree, measurements::Summary), CliError> {
    let mut bytes = Vec::with_capacity(files.len());
    for path in files {
        bytes.push(std::fs::read(path).map_err(|error| CliError::Io { path: path.clone(), error })?);
    }
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut data = Vec::with_capacity(files.len());
    let mut undecodable = Vec::new();
    for (name, bytes) in names.iter().zip(&bytes) {
        match kpitree_core::decode_text(name, bytes) {
            Ok(text) => data.push(Data { name, text, format: DataFormat::of_name(name) }),
            Err(e) => undecodable.push(e),
        }
    }
    if !undecodable.is_empty() {
        return Err(CliError::Loads(undecodable));
    }
    measurements::merge_tree(&tree_file.display().to_string(), tree, &data, flags.order()).map_err(CliError::Loads)
}

/// `kpitree measurements merge TREE DATA... [-o OUT]`: the merged tree to OUT (its extension picks
/// JSON or CSV) or to stdout (in the tree's format), a summary on stderr. Nothing is written when
/// anything is wrong, and OUT is replaced whole (written beside it, then renamed).
pub fn merge(
    tree_file: &Path,
    files: &[PathBuf],
    output: Option<&Path>,
    flags: &DataFlags,
    format: Option<Format>,
    meta: &CsvMeta,
) -> Result<ExitCode, CliError> {
    if let Some(out) = output {
        refuse_data_output(out, files)?;
    }
    let tree = input::load_tree(tree_file, format, meta)?;
    let (tree, summary) = merge_files(tree_file, tree, files, flags)?;
    let to = match output {
        Some(o) => input::format_of(o, None),
        None => input::format_of(tree_file, format),
    };
    let text = crate::cli::serialize(tree.doc(), to);
    match output {
        Some(path) => input::write(path, &text)?,
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|error| CliError::Io { path: PathBuf::from("<stdout>"), error })?,
    }
    let into = output.map_or_else(|| "the tree on stdout".to_owned(), |o| o.display().to_string());
    let mut err = human::stderr();
    writeln!(
        err,
        "merged {} and {} into {}",
        counted(&summary.measurements, "measurement"),
        counted(&summary.check_ins, "check-in"),
        Esc(into)
    )
    .map_err(|error| CliError::Io { path: PathBuf::from("<stderr>"), error })?;
    Ok(ExitCode::SUCCESS)
}

/// `12 measurements (3 new, 9 replaced)`, with `unchanged` when some were.
fn counted(c: &Counts, what: &str) -> String {
    let n = c.total();
    let mut s = format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    if n > 0 {
        s.push_str(&format!(" ({} new, {} replaced", c.added, c.replaced));
        if c.unchanged > 0 {
            s.push_str(&format!(", {} unchanged", c.unchanged));
        }
        s.push(')');
    }
    s
}

/// `-o` naming a data file would replace the data with the tree (the tree itself may be
/// overwritten: merging into it in place is the usual workflow). Compared as resolved paths, so
/// `./m.csv` and a symlink to it are the same file.
fn refuse_data_output(out: &Path, files: &[PathBuf]) -> Result<(), CliError> {
    let Ok(target) = std::fs::canonicalize(out) else { return Ok(()) };
    match files.iter().find(|f| std::fs::canonicalize(f).is_ok_and(|f| f == target)) {
        Some(f) => Err(CliError::Usage(format!(
            "-o {} is the data file {}: it would be replaced by the merged tree; write the tree to another file \
             (or over the tree itself)",
            Esc(out.display().to_string()),
            Esc(f.display().to_string())
        ))),
        None => Ok(()),
    }
}
