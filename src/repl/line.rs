//! What a REPL input says: a command, a binding or an expression (as C++ `nix repl` reads
//! them), and whether its expression is still incomplete, to be continued on the next line.

/// One input of the REPL, all its lines together.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// A blank input.
    Nothing,
    /// `EXPR`: evaluate and print to depth one.
    Eval(&'a str),
    /// `NAME = EXPR`: bind the expression, unevaluated.
    Bind(&'a str, &'a str),
    /// `:p EXPR`, `:print EXPR`: evaluate and print deeply (a string as it is).
    Print(&'a str),
    /// `:t EXPR`: the value's type.
    Type(&'a str),
    /// `:a EXPR`, `:add EXPR`: add the set's attributes to the scope.
    Add(&'a str),
    /// `:l FILE`, `:load FILE`: evaluate the file and add its set's attributes to the scope.
    Load(&'a str),
    /// `:r`, `:reload`: forget the bindings and load the loaded files again.
    Reload,
    /// `:te [true|false]`, `:trace-enable`: show error traces, or not, or toggle.
    TraceEnable(&'a str),
    /// `:?`, `:help`.
    Help,
    /// `:q`, `:quit`.
    Quit,
    /// A command the REPL does not have.
    Unknown(&'a str),
}

impl<'a> Command<'a> {
    /// The expression this command evaluates, if it evaluates one.
    pub fn expression(&self) -> Option<&'a str> {
        match *self {
            Command::Eval(e)
            | Command::Bind(_, e)
            | Command::Print(e)
            | Command::Type(e)
            | Command::Add(e) => Some(e),
            _ => None,
        }
    }
}

/// The commands, as `:?` lists them.
pub const HELP: &str = "\
The following commands are available:

  <expr>                       Evaluate and print expression
  <x> = <expr>                 Bind expression to variable
  :a, :add <expr>              Add attributes from resulting set to scope
  :l, :load <path>             Load Nix expression and add it to scope
  :p, :print <expr>            Evaluate and print expression recursively
                               Strings are printed directly, without escaping.
  :q, :quit                    Exit gnix repl
  :r, :reload                  Reload all files (bindings are forgotten)
  :t <expr>                    Describe result of evaluation
  :te, :trace-enable [bool]    Enable, disable or toggle showing traces for
                               errors
  :?, :help                    Brings up this help menu

Ctrl-C interrupts an evaluation (or clears the line); Ctrl-D quits.
";

/// Reads an input as C++ `nix repl` does: a `:` starts a command, whose argument is the rest
/// after blanks; `NAME = EXPR` (a variable name before the first `=`, which is not `==`) binds;
/// anything else is an expression.
pub fn parse(input: &str) -> Command<'_> {
    let line = input.trim();
    if line.is_empty() {
        return Command::Nothing;
    }
    if line.starts_with(':') {
        let (command, arg) = match line.find(char::is_whitespace) {
            Some(i) => (&line[..i], line[i..].trim()),
            None => (line, ""),
        };
        return match command {
            ":?" | ":help" => Command::Help,
            ":a" | ":add" => Command::Add(arg),
            ":l" | ":load" => Command::Load(arg),
            ":r" | ":reload" => Command::Reload,
            ":p" | ":print" => Command::Print(arg),
            ":t" => Command::Type(arg),
            ":te" | ":trace-enable" => Command::TraceEnable(arg),
            ":q" | ":quit" => Command::Quit,
            other => Command::Unknown(other),
        };
    }
    if let Some(eq) = line.find('=')
        && line.as_bytes().get(eq + 1) != Some(&b'=')
    {
        let name = line[..eq].trim();
        if is_var_name(name) {
            return Command::Bind(name, line[eq + 1..].trim());
        }
    }
    Command::Eval(line)
}

/// Whether `s` can be bound by `s = ...` (C++ `nix repl`'s test: a letter or `_` first, then
/// letters, digits, `_`, `-` and `'`).
pub fn is_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
}

/// Whether the expression is unfinished rather than wrong: its parse fails at the end of the
/// input (an unclosed `{`, `[`, `(`, string or `''`, a `let` without `in`, a lambda without a
/// body), so the REPL reads another line onto it, as `nix repl` does.
pub fn is_incomplete(expr: &str) -> bool {
    match gnix::eval::check_syntax(expr) {
        Ok(_) => false,
        Err(e) => {
            e.class == gnix::ErrorClass::Parse && e.message.contains("unexpected end of file")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        assert_eq!(parse("  "), Command::Nothing);
        assert_eq!(parse(":p  { a = 1; } "), Command::Print("{ a = 1; }"));
        assert_eq!(parse(":print x"), Command::Print("x"));
        assert_eq!(parse(":t 1"), Command::Type("1"));
        assert_eq!(parse(":l ./a.nix"), Command::Load("./a.nix"));
        assert_eq!(parse(":a builtins"), Command::Add("builtins"));
        assert_eq!(parse(":r"), Command::Reload);
        assert_eq!(parse(":q"), Command::Quit);
        assert_eq!(parse(":?"), Command::Help);
        assert_eq!(parse(":te"), Command::TraceEnable(""));
        assert_eq!(parse(":x 1"), Command::Unknown(":x"));
        assert_eq!(parse(":p\n{ a = 1;\n}"), Command::Print("{ a = 1;\n}"));
    }

    #[test]
    fn bindings_and_expressions() {
        assert_eq!(parse("x = 1"), Command::Bind("x", "1"));
        assert_eq!(
            parse(" foo-bar' =  a: a "),
            Command::Bind("foo-bar'", "a: a")
        );
        assert_eq!(parse("x == 1"), Command::Eval("x == 1"));
        assert_eq!(parse("{ a = 1; }"), Command::Eval("{ a = 1; }"));
        assert_eq!(parse("1x = 2"), Command::Eval("1x = 2"));
        assert_eq!(parse("x = y == 1"), Command::Bind("x", "y == 1"));
        assert_eq!(parse("x =\n{ }"), Command::Bind("x", "{ }"));
    }

    #[test]
    fn incomplete_input() {
        for open in [
            "{",
            "{ a = 1;",
            "[ 1 2",
            "(1 +",
            "\"abc",
            "''abc",
            "let x = 1;",
            "x:",
            "if true then 1",
            "\"${",
        ] {
            assert!(is_incomplete(open), "{open:?} is incomplete");
        }
        for done in ["1", "{ }", "let x = 1; in x", "''a''", "x: x"] {
            assert!(!is_incomplete(done), "{done:?} is complete");
        }
        for wrong in ["1 )", "{ a = 1; } }", "]", "let in in"] {
            assert!(
                !is_incomplete(wrong),
                "{wrong:?} is an error, not incomplete"
            );
        }
    }

    #[test]
    fn expressions_of_commands() {
        assert_eq!(parse("x = { ").expression(), Some("{"));
        assert_eq!(parse(":p [").expression(), Some("["));
        assert_eq!(parse(":l foo").expression(), None);
        assert_eq!(parse(":q").expression(), None);
    }
}
