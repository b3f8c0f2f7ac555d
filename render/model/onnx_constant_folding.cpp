// Evaluates constant ONNX subgraphs at load time: the shape arithmetic that
// torch.onnx.export writes for ReflectionPad2d, Resize scales and Identity-shared weights.
#include "model/onnx_constant_folding.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include <onnx/onnx_pb.h>

#include "model/model.h"

namespace stylize::model::onnx_import {

namespace {

using Dims = std::vector<std::int64_t>;
using Type = ConstTensor::Type;

// Folded values are shapes and small parameter tensors; weights only pass through Identity.
constexpr std::int64_t kMaxFoldElements = std::int64_t(1) << 22;

class Evaluator {
public:
    Evaluator(const onnx::NodeProto& node, ConstantTable& constants, const std::string& where)
        : node_(node), constants_(constants), where_(where)
    {
    }

    void run()
    {
        const std::string& op = node_.op_type();
        if (node_.output_size() < 1 || node_.output(0).empty())
            fail("has no output");
        if (op == "Identity") {
            constants_[node_.output(0)] = inputPtr(0);
            return;
        }
        ConstTensor out;
        if (op == "Constant")
            out = constant();
        else if (op == "Shape")
            out = shape();
        else if (op == "Size")
            out = scalar(input(0).count());
        else if (op == "Concat")
            out = concat();
        else if (op == "Slice")
            out = slice();
        else if (op == "Reshape")
            out = reshape();
        else if (op == "Cast")
            out = cast();
        else if (op == "Gather")
            out = gather();
        else if (op == "Unsqueeze")
            out = unsqueeze();
        else if (op == "Squeeze")
            out = squeeze();
        else if (op == "ConstantOfShape")
            out = constantOfShape();
        else if (op == "Transpose")
            out = transpose();
        else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
            out = arithmetic(op);
        else
            fail("cannot be evaluated at load time");
        constants_[node_.output(0)] = std::make_shared<const ConstTensor>(std::move(out));
    }

private:
    [[noreturn]] void fail(const std::string& what) const { throw ModelError(where_ + ": " + what); }

    bool hasInput(int i) const { return i < node_.input_size() && !node_.input(i).empty(); }

    ConstPtr inputPtr(int i) const
    {
        if (!hasInput(i))
            fail("needs input " + std::to_string(i + 1));
        const auto it = constants_.find(node_.input(i));
        if (it == constants_.end())
            fail("input '" + node_.input(i) + "' is not a constant");
        return it->second;
    }
    const ConstTensor& input(int i) const { return *inputPtr(i); }

    Dims ints(const ConstTensor& t, const char* what) const
    {
        if (t.type != Type::Int64)
            fail(std::string(what) + " must be integers");
        return t.ints;
    }

    // Integers from an attribute (older opsets) or an input (newer ones).
    std::optional<Dims> intsFrom(const char* attribute, int inputIndex) const
    {
        if (auto a = intsAttribute(node_, attribute, where_))
            return a;
        if (hasInput(inputIndex))
            return ints(input(inputIndex), attribute);
        return std::nullopt;
    }

    std::int64_t axis(std::int64_t a, std::size_t rank) const
    {
        const auto r = std::int64_t(rank);
        if (a < -r || a >= r)
            fail("axis " + std::to_string(a) + " is outside a tensor of rank " + std::to_string(r));
        return a < 0 ? a + r : a;
    }

    static ConstTensor scalar(std::int64_t v)
    {
        ConstTensor t;
        t.type = Type::Int64;
        t.ints = {v};
        return t;
    }

    static ConstTensor emptyLike(Type type, Dims dims, std::size_t count)
    {
        ConstTensor t;
        t.type = type;
        t.dims = std::move(dims);
        if (type == Type::Float)
            t.floats.resize(count);
        else
            t.ints.resize(count);
        return t;
    }

    std::size_t countOf(const Dims& dims) const { return std::size_t(checkedCount(dims, kMaxFoldElements, where_)); }

    // Visits every multi-index of dims in row-major order.
    static void forEachIndex(const Dims& dims, const std::function<void(const Dims&)>& visit)
    {
        for (std::int64_t d : dims)
            if (d == 0)
                return;
        Dims idx(dims.size(), 0);
        while (true) {
            visit(idx);
            int k = int(dims.size()) - 1;
            while (k >= 0 && ++idx[k] == dims[k])
                idx[k--] = 0;
            if (k < 0)
                return;
        }
    }

    static std::int64_t offset(const Dims& dims, const Dims& idx)
    {
        std::int64_t o = 0;
        for (std::size_t i = 0; i < dims.size(); ++i)
            o = o * dims[i] + idx[i];
        return o;
    }

    // Output of `dims` whose elements come from src at the given flat indices.
    static ConstTensor pick(const ConstTensor& src, Dims dims, const std::vector<std::int64_t>& from)
    {
        ConstTensor t = emptyLike(src.type, std::move(dims), from.size());
        for (std::size_t k = 0; k < from.size(); ++k) {
            if (src.type == Type::Float)
                t.floats[k] = src.floats[std::size_t(from[k])];
            else
                t.ints[k] = src.ints[std::size_t(from[k])];
        }
        return t;
    }

    ConstTensor constant() const
    {
        for (const onnx::AttributeProto& a : node_.attribute()) {
            if (a.name() == "value" && a.has_t())
                return tensorFromProto(a.t(), where_);
            ConstTensor t;
            if (a.name() == "value_float") {
                t.floats = {a.f()};
                return t;
            }
            if (a.name() == "value_floats") {
                t.floats.assign(a.floats().begin(), a.floats().end());
                t.dims = {std::int64_t(t.floats.size())};
                return t;
            }
            t.type = Type::Int64;
            if (a.name() == "value_int") {
                t.ints = {a.i()};
                return t;
            }
            if (a.name() == "value_ints") {
                t.ints.assign(a.ints().begin(), a.ints().end());
                t.dims = {std::int64_t(t.ints.size())};
                return t;
            }
        }
        fail("has no value Stylize can read (expected a tensor, float or int value)");
    }

    ConstTensor shape() const
    {
        const Dims& dims = input(0).dims;
        const auto rank = std::int64_t(dims.size());
        auto clampIndex = [&](std::int64_t v) {
            if (v < 0)
                v += rank;
            return std::clamp<std::int64_t>(v, 0, rank);
        };
        const std::int64_t start = clampIndex(intAttribute(node_, "start", 0, where_));
        const std::int64_t end = clampIndex(intAttribute(node_, "end", rank, where_));
        ConstTensor t;
        t.type = Type::Int64;
        if (end > start)
            t.ints.assign(dims.begin() + start, dims.begin() + end);
        t.dims = {std::int64_t(t.ints.size())};
        return t;
    }

    ConstTensor concat() const
    {
        if (node_.input_size() < 1)
            fail("needs at least one input");
        const ConstTensor& first = input(0);
        const std::int64_t ax = axis(intAttribute(node_, "axis", 0, where_), first.dims.size());
        Dims dims = first.dims;
        dims[ax] = 0;
        for (int i = 0; i < node_.input_size(); ++i) {
            const ConstTensor& t = input(i);
            if (t.type != first.type || t.dims.size() != first.dims.size())
                fail("joins tensors of different types or ranks");
            for (std::size_t d = 0; d < dims.size(); ++d)
                if (std::int64_t(d) != ax && t.dims[d] != first.dims[d])
                    fail("joins tensors of shapes " + first.shapeText() + " and " + t.shapeText());
            dims[ax] += t.dims[ax];
        }
        ConstTensor out = emptyLike(first.type, dims, countOf(dims));
        std::int64_t outer = 1, inner = 1;
        for (std::int64_t d = 0; d < ax; ++d)
            outer *= dims[d];
        for (std::size_t d = std::size_t(ax) + 1; d < dims.size(); ++d)
            inner *= dims[d];
        std::size_t k = 0;
        for (std::int64_t o = 0; o < outer; ++o)
            for (int i = 0; i < node_.input_size(); ++i) {
                const ConstTensor& t = input(i);
                const std::int64_t block = t.dims[ax] * inner;
                for (std::int64_t e = 0; e < block; ++e, ++k) {
                    if (t.type == Type::Float)
                        out.floats[k] = t.floats[std::size_t(o * block + e)];
                    else
                        out.ints[k] = t.ints[std::size_t(o * block + e)];
                }
            }
        return out;
    }

    ConstTensor slice() const
    {
        const ConstTensor& data = input(0);
        const std::size_t rank = data.dims.size();
        const std::optional<Dims> starts = intsFrom("starts", 1), ends = intsFrom("ends", 2);
        if (!starts || !ends || starts->size() != ends->size())
            fail("needs starts and ends of equal length");
        Dims axes = intsFrom("axes", 3).value_or(Dims{});
        if (axes.empty())
            for (std::size_t i = 0; i < starts->size(); ++i)
                axes.push_back(std::int64_t(i));
        const Dims steps = intsFrom("steps", 4).value_or(Dims(starts->size(), 1));
        if (axes.size() != starts->size() || steps.size() != starts->size())
            fail("has starts, ends, axes and steps of different lengths");
        Dims first(rank, 0), step(rank, 1), dims = data.dims;
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const std::int64_t a = axis(axes[i], rank);
            const std::int64_t n = data.dims[a], s = steps[i];
            if (s == 0)
                fail("has a step of 0");
            std::int64_t b = (*starts)[i], e = (*ends)[i];
            if (b < 0)
                b += n;
            if (e < 0)
                e += n;
            if (s > 0) {
                b = std::clamp<std::int64_t>(b, 0, n);
                e = std::clamp<std::int64_t>(e, 0, n);
                dims[a] = e > b ? (e - b + s - 1) / s : 0;
            } else {
                b = std::clamp<std::int64_t>(b, 0, n - 1);
                e = std::clamp<std::int64_t>(e, -1, n - 1);
                dims[a] = b > e ? (b - e - s - 1) / -s : 0;
            }
            first[a] = b;
            step[a] = s;
        }
        std::vector<std::int64_t> from;
        from.reserve(countOf(dims));
        Dims src(rank);
        forEachIndex(dims, [&](const Dims& idx) {
            for (std::size_t d = 0; d < rank; ++d)
                src[d] = first[d] + idx[d] * step[d];
            from.push_back(offset(data.dims, src));
        });
        return pick(data, dims, from);
    }

    ConstTensor reshape() const
    {
        ConstTensor out = input(0);
        const Dims shape = ints(input(1), "the shape");
        const bool allowZero = intAttribute(node_, "allowzero", 0, where_) != 0;
        Dims dims;
        int inferred = -1;
        std::int64_t known = 1;  // product of the sizes other than -1
        for (std::size_t i = 0; i < shape.size(); ++i) {
            std::int64_t d = shape[i];
            if (d == 0 && !allowZero) {
                if (i >= out.dims.size())
                    fail("copies a dimension the input does not have");
                d = out.dims[i];
            }
            dims.push_back(d);
            if (d == -1) {
                if (inferred >= 0)
                    fail("has more than one -1 in its shape");
                inferred = int(i);
                continue;
            }
            if (d < 0)
                fail("has a negative size in its shape");
            if (d != 0 && known > kMaxFoldElements / d)
                fail("asks for too large a shape");
            known *= d;
        }
        if (inferred >= 0) {
            if (known == 0 || out.count() % known != 0)
                fail("cannot infer its -1 dimension");
            dims[std::size_t(inferred)] = out.count() / known;
        }
        if (std::int64_t(countOf(dims)) != out.count())
            fail("reshapes " + std::to_string(out.count()) + " values to a different count");
        out.dims = dims;
        return out;
    }

    ConstTensor cast() const
    {
        const ConstTensor& in = input(0);
        const std::int64_t to = intAttribute(node_, "to", 0, where_);
        const bool toFloat = to == onnx::TensorProto_DataType_FLOAT || to == onnx::TensorProto_DataType_DOUBLE ||
                             to == onnx::TensorProto_DataType_FLOAT16;
        ConstTensor out = emptyLike(toFloat ? Type::Float : Type::Int64, in.dims, in.count());
        for (std::size_t i = 0; i < std::size_t(in.count()); ++i) {
            if (toFloat) {
                out.floats[i] = float(in.number(i));
            } else if (in.type == Type::Int64) {
                out.ints[i] = to == onnx::TensorProto_DataType_BOOL ? in.ints[i] != 0 : in.ints[i];
            } else {
                const float v = in.floats[i];
                if (!std::isfinite(v) || std::fabs(v) > 9.0e18f)
                    fail("casts a value out of range");
                out.ints[i] = to == onnx::TensorProto_DataType_BOOL ? v != 0.f : std::int64_t(v);
            }
        }
        return out;
    }

    ConstTensor gather() const
    {
        const ConstTensor& data = input(0);
        const Dims indices = ints(input(1), "indices");
        const Dims& indexDims = input(1).dims;
        if (data.dims.empty())
            fail("gathers from a scalar");
        const std::int64_t ax = axis(intAttribute(node_, "axis", 0, where_), data.dims.size());
        Dims dims(data.dims.begin(), data.dims.begin() + ax);
        dims.insert(dims.end(), indexDims.begin(), indexDims.end());
        dims.insert(dims.end(), data.dims.begin() + ax + 1, data.dims.end());
        std::vector<std::int64_t> from;
        from.reserve(countOf(dims));
        Dims src(data.dims.size());
        const std::size_t ir = indexDims.size();
        forEachIndex(dims, [&](const Dims& idx) {
            for (std::int64_t d = 0; d < ax; ++d)
                src[d] = idx[d];
            Dims at(idx.begin() + ax, idx.begin() + ax + std::int64_t(ir));
            std::int64_t i = indices[std::size_t(offset(indexDims, at))];
            if (i < 0)
                i += data.dims[ax];
            if (i < 0 || i >= data.dims[ax])
                fail("has an index outside the data");
            src[ax] = i;
            for (std::size_t d = std::size_t(ax) + 1; d < data.dims.size(); ++d)
                src[d] = idx[d - 1 + ir];
            from.push_back(offset(data.dims, src));
        });
        return pick(data, dims, from);
    }

    ConstTensor unsqueeze() const
    {
        ConstTensor out = input(0);
        const std::optional<Dims> axes = intsFrom("axes", 1);
        if (!axes)
            fail("needs axes");
        const std::size_t rank = out.dims.size() + axes->size();
        std::set<std::int64_t> at;
        for (std::int64_t a : *axes)
            at.insert(axis(a, rank));
        if (at.size() != axes->size())
            fail("repeats an axis");
        Dims dims;
        std::size_t k = 0;
        for (std::size_t d = 0; d < rank; ++d)
            dims.push_back(at.count(std::int64_t(d)) ? 1 : out.dims[k++]);
        out.dims = dims;
        return out;
    }

    ConstTensor squeeze() const
    {
        ConstTensor out = input(0);
        const std::optional<Dims> axes = intsFrom("axes", 1);
        std::set<std::int64_t> at;
        if (axes)
            for (std::int64_t a : *axes)
                at.insert(axis(a, out.dims.size()));
        Dims dims;
        for (std::size_t d = 0; d < out.dims.size(); ++d) {
            const bool drop = axes ? at.count(std::int64_t(d)) > 0 : out.dims[d] == 1;
            if (drop && out.dims[d] != 1)
                fail("squeezes an axis whose size is not 1");
            if (!drop)
                dims.push_back(out.dims[d]);
        }
        out.dims = dims;
        return out;
    }

    ConstTensor constantOfShape() const
    {
        const Dims dims = ints(input(0), "the shape");
        const std::size_t n = countOf(dims);
        ConstTensor value;
        value.floats = {0.f};
        if (const onnx::AttributeProto* a = findAttribute(node_, "value"); a && a->has_t())
            value = tensorFromProto(a->t(), where_);
        if (value.count() != 1)
            fail("needs a single fill value");
        ConstTensor out = emptyLike(value.type, dims, n);
        if (value.type == Type::Float)
            std::fill(out.floats.begin(), out.floats.end(), value.floats[0]);
        else
            std::fill(out.ints.begin(), out.ints.end(), value.ints[0]);
        return out;
    }

    ConstTensor transpose() const
    {
        const ConstTensor& in = input(0);
        const std::size_t rank = in.dims.size();
        Dims perm = intsAttribute(node_, "perm", where_).value_or(Dims{});
        if (perm.empty())
            for (std::size_t d = 0; d < rank; ++d)
                perm.push_back(std::int64_t(rank - 1 - d));
        if (perm.size() != rank)
            fail("has a permutation of the wrong length");
        std::set<std::int64_t> seen;
        for (std::int64_t& p : perm)
            seen.insert(p = axis(p, rank));
        if (seen.size() != rank)
            fail("has a permutation that repeats an axis");
        Dims dims(rank), src(rank);
        for (std::size_t d = 0; d < rank; ++d)
            dims[d] = in.dims[perm[d]];
        std::vector<std::int64_t> from;
        from.reserve(countOf(dims));
        forEachIndex(dims, [&](const Dims& idx) {
            for (std::size_t d = 0; d < rank; ++d)
                src[perm[d]] = idx[d];
            from.push_back(offset(in.dims, src));
        });
        return pick(in, dims, from);
    }

    // Elementwise arithmetic with numpy broadcasting.
    ConstTensor arithmetic(const std::string& op) const
    {
        const ConstTensor& a = input(0);
        const ConstTensor& b = input(1);
        if (a.type != b.type)
            fail("mixes float and integer inputs");
        const std::size_t rank = std::max(a.dims.size(), b.dims.size());
        auto padded = [&](const Dims& d) {
            Dims p(rank - d.size(), 1);
            p.insert(p.end(), d.begin(), d.end());
            return p;
        };
        const Dims da = padded(a.dims), db = padded(b.dims);
        Dims dims(rank);
        for (std::size_t d = 0; d < rank; ++d) {
            if (da[d] != db[d] && da[d] != 1 && db[d] != 1)
                fail("combines shapes " + a.shapeText() + " and " + b.shapeText() + " that do not broadcast");
            dims[d] = da[d] == 1 ? db[d] : da[d];
        }
        ConstTensor out = emptyLike(a.type, dims, countOf(dims));
        Dims ia(rank), ib(rank);
        std::size_t k = 0;
        forEachIndex(dims, [&](const Dims& idx) {
            for (std::size_t d = 0; d < rank; ++d) {
                ia[d] = da[d] == 1 ? 0 : idx[d];
                ib[d] = db[d] == 1 ? 0 : idx[d];
            }
            const auto i = std::size_t(offset(da, ia)), j = std::size_t(offset(db, ib));
            if (a.type == Type::Float) {
                const float x = a.floats[i], y = b.floats[j];
                out.floats[k++] = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
            } else {
                out.ints[k++] = integer(op, a.ints[i], b.ints[j]);
            }
        });
        return out;
    }

    std::int64_t integer(const std::string& op, std::int64_t x, std::int64_t y) const
    {
        std::int64_t r = 0;
        const bool overflow = op == "Add"   ? __builtin_add_overflow(x, y, &r)
                              : op == "Sub" ? __builtin_sub_overflow(x, y, &r)
                              : op == "Mul" ? __builtin_mul_overflow(x, y, &r)
                                            : (y == 0 || (x == std::numeric_limits<std::int64_t>::min() && y == -1));
        if (overflow)
            fail("overflows or divides by zero");
        return op == "Div" ? x / y : r;
    }

    const onnx::NodeProto& node_;
    ConstantTable& constants_;
    const std::string& where_;
};

}  // namespace

bool isFoldableOp(const std::string& opType)
{
    static const std::set<std::string> ops = {
        "Constant",  "Identity", "Shape",           "Size",      "Concat", "Slice", "Reshape", "Cast", "Gather",
        "Unsqueeze", "Squeeze",  "ConstantOfShape", "Transpose", "Add",    "Sub",   "Mul",     "Div"};
    return ops.count(opType) > 0;
}

void foldConstantNode(const onnx::NodeProto& node, ConstantTable& constants, const std::string& where)
{
    Evaluator(node, constants, where).run();
}

}  // namespace stylize::model::onnx_import
