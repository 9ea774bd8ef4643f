"""Measurement models written as text, read safely, evaluated and differentiated.

A model is an arithmetic expression over input names, for example ``"R_s * r * (1 + alpha*dT)"``,
with ``+ - * / **``, unary minus, parentheses, numbers, the constant ``pi`` and the functions
sqrt, exp, log, log10, sin, cos, tan, atan and abs.

The text is parsed with :mod:`ast` and every node is checked against that whitelist; then the
checked tree is lowered to a straight-line program, one operation per step, in which sub-trees
without inputs are folded to numbers. That one program is evaluated several ways:

- walked over floats for the value at the estimate (math functions raise on a domain error, and
  the step that failed is named in the message), over numpy arrays for Monte Carlo, and over
  ``uncertainties`` numbers to cross-check the sensitivities;
- differentiated in reverse mode for the sensitivity coefficients, exact to rounding whatever the
  size of ``x_i`` (a numerical step scaled with ``x_i`` gets GUM H.1 wrong). The first calls walk
  the program; a model used again gets its gradient compiled to a Python function, generated
  from the program and never from the user's text (it holds only names this module writes, such
  as ``x0`` and ``t3``, and ``repr`` of floats), so a budget takes about 15 µs.

>>> m = compile_model("a * b + sqrt(c)", ("a", "b", "c"))
>>> m.gradient((2.0, 3.0, 4.0))
(8.0, (3.0, 2.0, 0.25))
>>> parse_model("V / I * cos(phi)").names
('V', 'I', 'phi')
"""

from __future__ import annotations

import ast
import difflib
import functools
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from uncertainties import umath

from metrology.errors import ModelError

FUNCTIONS = ("sqrt", "exp", "log", "log10", "sin", "cos", "tan", "atan", "abs")
CONSTANTS = {"pi": math.pi}
MAX_MODEL_LENGTH = 10_000
COMPILE_AFTER = 3  # calls of a bound model before its gradient is compiled to Python

_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_BINARY_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
_REFUSED_OPERATORS = {
    ast.BitXor: "'^' is not allowed in a model (write a power as x**2)",
    ast.Mod: "the operator '%' is not allowed in a model",
    ast.FloorDiv: "the operator '//' is not allowed in a model",
    ast.MatMult: "the operator '@' is not allowed in a model",
    ast.LShift: "the operator '<<' is not allowed in a model",
    ast.RShift: "the operator '>>' is not allowed in a model",
    ast.BitOr: "the operator '|' is not allowed in a model",
    ast.BitAnd: "the operator '&' is not allowed in a model",
}
_REFUSED_NODES = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[]')",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "'if ... else'",
    ast.Lambda: "'lambda'",
    ast.NamedExpr: "':='",
    ast.Starred: "'*' unpacking",
    ast.JoinedStr: "an f-string",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.ListComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Await: "'await'",
}

_FLOAT_NAMESPACE: dict[str, Any] = {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "atan": math.atan,
    "abs": abs,
    "_pow": math.pow,
    "_log": math.log,
    "_sin": math.sin,
    "_cos": math.cos,
}
_ARRAY_NAMESPACE: dict[str, Any] = {
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "atan": np.arctan,
    "abs": np.abs,
    "_pow": operator.pow,
}
_UFLOAT_NAMESPACE: dict[str, Any] = {
    "sqrt": umath.sqrt,
    "exp": umath.exp,
    "log": umath.log,
    "log10": umath.log10,
    "sin": umath.sin,
    "cos": umath.cos,
    "tan": umath.tan,
    "atan": umath.atan,
    "abs": lambda x: x if x.nominal_value >= 0 else -x,  # umath.fabs is deprecated in 3.2
    "_pow": operator.pow,
}
_NAMESPACES = {"float": _FLOAT_NAMESPACE, "array": _ARRAY_NAMESPACE, "ufloat": _UFLOAT_NAMESPACE}


@dataclass(frozen=True)
class Model:
    """A model text that passed the whitelist; ``names`` in order of first use.

    >>> parse_model("os.system('ls')")
    Traceback (most recent call last):
    ...
    metrology.errors.ModelError: attribute access ('.') is not allowed in a model: 'os.system'
    """

    text: str
    names: tuple[str, ...]
    tree: ast.Expression


@dataclass(frozen=True)
class _Op:
    kind: str
    args: tuple[str, ...]
    out: str
    node: ast.AST  # kept for messages only: ast.get_source_segment is slow, so call it late
    arg_nodes: tuple[ast.AST, ...]


def parse_model(text: str) -> Model:
    """Parse and check a model text; raise :class:`ModelError` saying what is wrong."""
    if not isinstance(text, str):
        raise ModelError(f"the model must be text, not {type(text).__name__}")
    return _parse_cached(text)


@functools.lru_cache(maxsize=256)
def _parse_cached(text: str) -> Model:
    if not text.strip():
        raise ModelError("the model is empty")
    if len(text) > MAX_MODEL_LENGTH:
        raise ModelError(f"the model is longer than {MAX_MODEL_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        column = f" at column {exc.offset}" if exc.offset else ""
        raise ModelError(f"cannot read the model{column}: {exc.msg} in {text.strip()!r}") from None
    except (RecursionError, MemoryError):
        raise ModelError("the model is nested too deeply to read") from None
    names: list[str] = []
    source = text.strip()
    try:
        _check(tree.body, source, names)
    except RecursionError:
        raise ModelError("the model is nested too deeply to read") from None
    return Model(text=text, names=tuple(names), tree=tree)


def _segment(source: str, node: ast.AST) -> str:
    return ast.get_source_segment(source, node) or ast.unparse(node)


def _check(node: ast.AST, source: str, names: list[str]) -> None:
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            reason = _REFUSED_OPERATORS.get(
                type(node.op), "this operator is not allowed in a model"
            )
            raise ModelError(f"{reason}: {_segment(source, node)!r}")
        _check(node.left, source, names)
        _check(node.right, source, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ModelError(f"only unary minus and plus are allowed: {_segment(source, node)!r}")
        _check(node.operand, source, names)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelError(f"only real numbers may appear in a model, not {value!r}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ModelError(f"the number {_segment(source, node)} in the model is too large")
    elif isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ModelError(f"names starting with '_' are not allowed in a model: {node.id!r}")
        if node.id in FUNCTIONS:
            raise ModelError(f"{node.id!r} is a function; call it as {node.id}(x)")
        if node.id not in CONSTANTS and node.id not in names:
            names.append(node.id)
    elif isinstance(node, ast.Call):
        func = node.func
        called = func.id if isinstance(func, ast.Name) else _segment(source, func)
        if isinstance(func, ast.Attribute):
            raise ModelError(f"attribute access ('.') is not allowed in a model: {called!r}")
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            raise ModelError(f"{called!r} is not a function a model may use (allowed: {allowed})")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ModelError(f"{func.id} takes exactly one argument: {_segment(source, node)!r}")
        _check(node.args[0], source, names)
    else:
        what = _REFUSED_NODES.get(type(node), f"'{type(node).__name__}'")
        raise ModelError(f"{what} is not allowed in a model: {_segment(source, node)!r}")


class CompiledModel:
    """A model bound to an ordered list of input names (and constants), ready to evaluate.

    Use :func:`compile_model` to get one; instances are shared through a cache.
    """

    def __init__(self, model: Model, names: tuple[str, ...], constants: Mapping[str, float]):
        self.model = model
        self.names = names
        self.constants = dict(constants)
        self._ops: list[_Op] = []
        self._source = model.text.strip()
        self._result = _Lowering(self, self._source).lower(model.tree.body)
        self.used = tuple(i for i, name in enumerate(names) if name in model.names)
        tokens = [a for op in self._ops for a in op.args] + [self._result]
        self._pool_tokens = list(dict.fromkeys(t for t in tokens if t[0] not in "xt"))
        self._pool = [float(t) for t in self._pool_tokens]
        # Values for floats, arrays and ufloats come from walking the straight-line program
        # (a few µs). The gradient is walked too for the first calls, then compiled to Python
        # once the model is seen again: compile() costs ~100 µs, a compiled budget ~15 µs.
        self._programs: dict[str, list[tuple[Callable[..., Any], tuple[int, ...]]]] = {}
        self._gradient: Callable[..., Any] | None = None
        self._calls = 0

    def estimate(self, xs: Sequence[float]) -> float:
        """The model value at ``xs``; :class:`ModelError` if it fails or is not finite."""
        try:
            value = self._run("float", [float(x) for x in xs])
        except (ArithmeticError, ValueError, TypeError):
            raise ModelError(self._diagnose(xs)) from None
        if not math.isfinite(value):
            raise ModelError(self._diagnose(xs))
        return float(value)

    def gradient(self, xs: Sequence[float]) -> tuple[float, tuple[float, ...]]:
        """The value and the sensitivity coefficients (exact partial derivatives) at ``xs``."""
        self._calls += 1
        if self._gradient is None and self._calls >= COMPILE_AFTER:
            code = compile(self._gradient_source(), "<model gradient>", "exec")
            self._gradient = _function(code, _FLOAT_NAMESPACE)
        try:
            if self._gradient is None:
                value, grad = self._walk_gradient([float(x) for x in xs])
            else:
                value, grad = self._gradient(*xs)
        except (ArithmeticError, ValueError, TypeError):
            value, grad = self.estimate(xs), (math.nan,)
        if not math.isfinite(value):
            self.estimate(xs)
        if not all(math.isfinite(c) for c in grad):
            raise ModelError(self._diagnose_derivative(xs))
        return float(value), tuple(float(c) for c in grad)

    def _walk_gradient(self, slots: list[float]) -> tuple[float, tuple[float, ...]]:
        """Reverse-mode derivatives by walking the program (the same rules as the code)."""
        program = self._programs.get("float") or self._program("float")
        n, first = len(self.names), len(self.names) + len(self._pool)
        slots.extend(self._pool)
        for fn, where in program:
            slots.append(fn(*[slots[i] for i in where]))
        adjoint = [0.0] * len(slots)
        result = self._slot(self._result)
        adjoint[result] = 1.0
        for k in range(len(program) - 1, -1, -1):
            g = adjoint[first + k]
            where = program[k][1]
            a = slots[where[0]]
            b = slots[where[1]] if len(where) > 1 else 0.0
            b_varies = len(where) > 1 and not n <= where[1] < first
            partials = _partials(self._ops[k].kind, a, b, slots[first + k], b_varies)
            for i, p in zip(where, partials, strict=False):
                adjoint[i] += g * p
        return slots[result], tuple(adjoint[:n])

    def evaluate_arrays(self, xs: Sequence[np.ndarray]) -> np.ndarray:
        """The model over arrays of draws (no checks: the caller looks for non-finite values)."""
        return np.asarray(self._run("array", list(xs)), dtype=float)

    def evaluate_ufloats(self, xs: Sequence[Any]) -> Any:
        """The model over ``uncertainties`` numbers, first-order propagation by that package."""
        return self._run("ufloat", list(xs))

    def _run(self, backend: str, slots: list[Any]) -> Any:
        """Walk the program; ``slots`` holds the inputs, then constants, then each result."""
        program = self._programs.get(backend) or self._program(backend)
        slots.extend(self._pool)
        for fn, where in program:
            slots.append(fn(*[slots[i] for i in where]))
        return slots[self._slot(self._result)]

    def _program(self, backend: str) -> list[tuple[Callable[..., Any], tuple[int, ...]]]:
        namespace = _NAMESPACES[backend]
        operators = {
            "add": operator.add,
            "sub": operator.sub,
            "mul": operator.mul,
            "div": operator.truediv,
            "neg": operator.neg,
            "pow": namespace["_pow"],
        }
        program = [
            (operators.get(op.kind) or namespace[op.kind], tuple(self._slot(a) for a in op.args))
            for op in self._ops
        ]
        self._programs[backend] = program
        return program

    def _slot(self, token: str) -> int:
        n = len(self.names)
        if token[0] == "x":
            return int(token[1:])
        if token[0] == "t":
            return n + len(self._pool) + int(token[1:])
        return n + self._pool_tokens.index(token)

    def _gradient_source(self) -> str:
        args = ", ".join(f"x{i}" for i in range(len(self.names)))
        lines = [f"def gradient({args}):"]
        lines += [f"    {op.out} = {_expression(op)}" for op in self._ops]
        assigned: set[str] = set()

        def accumulate(target: str, term: str) -> None:
            if not (target.startswith("x") or target.startswith("t")):
                return
            adjoint = ("d" if target.startswith("x") else "g") + target[1:]
            if adjoint in assigned:
                lines.append(f"    {adjoint} += {term}")
            else:
                lines.append(f"    {adjoint} = {term}")
                assigned.add(adjoint)

        accumulate(self._result, "1.0")
        for op in reversed(self._ops):
            g = "g" + op.out[1:]
            for target, term in _adjoint_terms(op, g):
                accumulate(target, term)
        grads = ", ".join(f"d{i}" if f"d{i}" in assigned else "0.0" for i in range(len(self.names)))
        lines.append(f"    return {self._result}, ({grads}{',' if len(self.names) == 1 else ''})")
        return "\n".join(lines) + "\n"

    def _diagnose(self, xs: Sequence[float]) -> str:
        env = {f"x{i}": float(x) for i, x in enumerate(xs)}
        for op in self._ops:
            values = [_operand(a, env) for a in op.args]
            source = _segment(self._source, op.node)
            try:
                result = _apply(op.kind, values)
            except ZeroDivisionError:
                divisor = _segment(self._source, op.arg_nodes[-1])
                return (
                    f"the model divides by zero at the estimate: {divisor!r} is zero in {source!r}"
                )
            except OverflowError:
                return f"the model overflows at the estimate in {source!r}"
            except (ValueError, TypeError):
                shown = ", ".join(
                    f"{_segment(self._source, node)} = {v:g}"
                    for node, v in zip(op.arg_nodes, values, strict=True)
                )
                return f"the model is not defined at the estimate: {source!r} with {shown}"
            if not math.isfinite(result):
                return (
                    f"the model gives a non-finite value ({result}) at the estimate in {source!r}"
                )
            env[op.out] = result
        return "the model gives a non-finite value at the estimate"

    def _diagnose_derivative(self, xs: Sequence[float]) -> str:
        env = {f"x{i}": float(x) for i, x in enumerate(xs)}
        for op in self._ops:
            values = [_operand(a, env) for a in op.args]
            env[op.out] = result = _apply(op.kind, values)
            b = values[1] if len(values) > 1 else 0.0
            try:
                partials = _partials(op.kind, values[0], b, result, op.args[-1][0] in "xt")
            except (ArithmeticError, ValueError):
                partials = (math.nan,)
            if not all(math.isfinite(p) for p in partials):
                return (
                    "the model has no finite derivative at the estimate in "
                    f"{_segment(self._source, op.node)!r}, so the law of propagation cannot be "
                    "used there; use Monte Carlo"
                )
        return "the model has no finite derivative at the estimate; use Monte Carlo"


class _Lowering:
    def __init__(self, compiled: CompiledModel, source: str):
        self.compiled = compiled
        self.source = source
        self.index = {name: i for i, name in enumerate(compiled.names)}

    def lower(self, node: ast.AST) -> str:
        """Return an operand: ``x<i>``, ``t<k>`` or ``repr`` of a folded float."""
        if isinstance(node, ast.Constant):
            return repr(float(node.value))
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp):
            operand = self.lower(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self._emit("neg", (operand,), node, (node.operand,))
        if isinstance(node, ast.BinOp):
            left, right = self.lower(node.left), self.lower(node.right)
            return self._emit(_BINARY[type(node.op)], (left, right), node, (node.left, node.right))
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        arg = self.lower(node.args[0])
        return self._emit(node.func.id, (arg,), node, (node.args[0],))

    def _name(self, name: str) -> str:
        if name in self.index:
            return f"x{self.index[name]}"
        if name in self.compiled.constants:
            return repr(float(self.compiled.constants[name]))
        if name in CONSTANTS:
            return repr(CONSTANTS[name])
        known = list(self.index) + list(self.compiled.constants)
        hint = difflib.get_close_matches(name, known, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (inputs: {', '.join(known)})"
        raise ModelError(f"the model uses {name!r}, which is not an input{suggestion}")

    def _emit(self, kind: str, args: tuple[str, ...], node: ast.AST, arg_nodes: tuple) -> str:
        if not any(a[0] in "xt" for a in args):
            return self._fold(kind, args, node, arg_nodes)
        out = f"t{len(self.compiled._ops)}"
        self.compiled._ops.append(_Op(kind, args, out, node, arg_nodes))
        return out

    def _fold(self, kind: str, args: tuple[str, ...], node: ast.AST, arg_nodes: tuple) -> str:
        try:
            value = _apply(kind, [float(a) for a in args])
        except ZeroDivisionError:
            divisor = _segment(self.source, arg_nodes[-1])
            raise ModelError(f"the model divides by zero: {divisor!r} is zero") from None
        except (OverflowError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise ModelError(f"the model cannot evaluate {_segment(self.source, node)!r}")
        return repr(value)


def _expression(op: _Op) -> str:
    if op.kind in _BINARY_SYMBOL:
        return f"{op.args[0]} {_BINARY_SYMBOL[op.kind]} {op.args[1]}"
    if op.kind == "pow":
        return f"_pow({op.args[0]}, {op.args[1]})"
    if op.kind == "neg":
        return f"-{op.args[0]}"
    return f"{op.kind}({op.args[0]})"


def _adjoint_terms(op: _Op, g: str) -> list[tuple[str, str]]:
    """Reverse-mode rules: what each operand receives from the adjoint ``g`` of ``op.out``."""
    t, a = op.out, op.args[0]
    b = op.args[1] if len(op.args) > 1 else ""
    rules: dict[str, list[tuple[str, str]]] = {
        "add": [(a, g), (b, g)],
        "sub": [(a, g), (b, f"-{g}")],
        "mul": [(a, f"{g} * {b}"), (b, f"{g} * {a}")],
        "div": [(a, f"{g} / {b}"), (b, f"-{g} * {t} / {b}")],
        "neg": [(a, f"-{g}")],
        "sqrt": [(a, f"{g} * 0.5 / {t}")],
        "exp": [(a, f"{g} * {t}")],
        "log": [(a, f"{g} / {a}")],
        "log10": [(a, f"{g} / ({a} * {math.log(10.0)!r})")],
        "sin": [(a, f"{g} * _cos({a})")],
        "cos": [(a, f"-{g} * _sin({a})")],
        "tan": [(a, f"{g} * (1.0 + {t} * {t})")],
        "atan": [(a, f"{g} / (1.0 + {a} * {a})")],
        "abs": [(a, f"({g} if {a} >= 0.0 else -{g})")],
    }
    if op.kind != "pow":
        return rules[op.kind]
    terms = []
    if b[0] in "xt":
        terms.append((b, f"{g} * {t} * _log({a})"))
    if a[0] in "xt":
        if b[0] in "xt":
            terms.append((a, f"{g} * {b} * _pow({a}, {b} - 1.0)"))
        elif float(b) == 2.0:
            terms.append((a, f"{g} * 2.0 * {a}"))
        else:
            terms.append((a, f"{g} * {b} * _pow({a}, {float(b) - 1.0!r})"))
    return terms


def _function(code: Any, namespace: dict[str, Any]) -> Callable[..., Any]:
    scope: dict[str, Any] = {}
    exec(code, dict(namespace, __builtins__={}), scope)  # noqa: S102 - generated, not user text
    return next(iter(scope.values()))


def _operand(token: str, env: dict[str, float]) -> float:
    return env[token] if token[0] in "xt" else float(token)


def _apply(kind: str, values: list[float]) -> float:
    if kind in ("add", "sub", "mul", "div"):
        fn = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}.get(kind)
        return fn(*values) if fn else values[0] / values[1]
    if kind == "pow":
        return math.pow(values[0], values[1])
    if kind == "neg":
        return -values[0]
    return float(_FLOAT_NAMESPACE[kind](values[0]))


def _partials(kind: str, a: float, b: float, t: float, b_varies: bool) -> tuple[float, ...]:
    """Local partial derivatives of ``t = kind(a, b)`` with respect to each operand."""
    if kind == "pow":
        da = b * math.pow(a, b - 1.0) if b != 2.0 else 2.0 * a
        return (da, t * math.log(a)) if b_varies else (da, 0.0)
    if kind == "div":
        return (1.0 / b, -t / b)
    rules: dict[str, Callable[[], tuple[float, ...]]] = {
        "add": lambda: (1.0, 1.0),
        "sub": lambda: (1.0, -1.0),
        "mul": lambda: (b, a),
        "neg": lambda: (-1.0,),
        "sqrt": lambda: (0.5 / t,),
        "exp": lambda: (t,),
        "log": lambda: (1.0 / a,),
        "log10": lambda: (1.0 / (a * math.log(10.0)),),
        "sin": lambda: (math.cos(a),),
        "cos": lambda: (-math.sin(a),),
        "tan": lambda: (1.0 + t * t,),
        "atan": lambda: (1.0 / (1.0 + a * a),),
        "abs": lambda: (1.0 if a >= 0.0 else -1.0,),
    }
    return rules[kind]()


@functools.lru_cache(maxsize=256)
def _compile_cached(
    text: str, names: tuple[str, ...], constants: tuple[tuple[str, float], ...]
) -> CompiledModel:
    return CompiledModel(_parse_cached(text), names, dict(constants))


def compile_model(
    text: str | Model, names: Sequence[str], constants: Mapping[str, float] | None = None
) -> CompiledModel:
    """Bind a model to the ordered input ``names`` (and named ``constants``) and compile it.

    Compiled models are cached, so calling this for every calibration point costs a lookup.

    >>> compile_model("x / y", ("x", "y")).estimate((1.0, 0.0))
    Traceback (most recent call last):
    ...
    metrology.errors.ModelError: the model divides by zero at the estimate: 'y' is zero in 'x / y'
    >>> compile_model("x + z", ("x", "y"))
    Traceback (most recent call last):
    ...
    metrology.errors.ModelError: the model uses 'z', which is not an input (inputs: x, y)
    """
    model_text = text.text if isinstance(text, Model) else text
    parse_model(model_text)
    frozen = tuple(sorted((str(k), float(v)) for k, v in (constants or {}).items()))
    return _compile_cached(model_text, tuple(names), frozen)
