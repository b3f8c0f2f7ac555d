// Helpers of the window tests: a two-style test pack, image differences, and waiting
// for the live view's next stylized frames.
#pragma once

#include <cmath>
#include <cstdlib>

#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QString>
#include <QtTest>

#include "live_view.h"
#include "model/loaders.h"

namespace stylize::test {

// A two-style pack from the tiny test network: slot 1 has other IN parameters, and the
// output mapping spreads its small outputs over visible grey levels.
inline QString makeTwoStylePack(const QString& folder)
{
    model::Model m = model::loadOnnx(STYLIZE_TEST_DATA_DIR "/model/transformer_small.onnx");
    for (model::Node& n : m.nodes)
        if (auto* in = std::get_if<model::InstanceNorm>(&n.op)) {
            std::vector<float> scale = in->scale[0], shift = in->shift[0];
            for (std::size_t c = 0; c < scale.size(); ++c) {
                scale[c] = -scale[c] * 1.5f;
                shift[c] += (c % 2 ? 0.8f : -0.8f);
            }
            in->scale.push_back(scale);
            in->shift.push_back(shift);
        }
    m.styles = {{"first", "First test style", "Test", "2026", "", "CC0", {}},
                {"second", "Second test style", "Test", "2026", "", "CC0", {}}};
    for (int c = 0; c < 3; ++c) {
        m.mapping.outScale[c] = 60.f;
        m.mapping.outBias[c] = 128.f;
    }
    const QString path = QDir(folder).filePath("two-styles.stylepack");
    model::saveStylePack(m, path.toStdString());
    return path;
}

inline double meanAbsDiff(const QImage& a, const QImage& b)
{
    if (a.size() != b.size() || a.isNull())
        return 1e9;
    const QImage x = a.convertToFormat(QImage::Format_RGBA8888), y = b.convertToFormat(QImage::Format_RGBA8888);
    double sum = 0;
    for (int row = 0; row < x.height(); ++row) {
        const uchar* p = x.constScanLine(row);
        const uchar* q = y.constScanLine(row);
        for (int i = 0; i < x.width() * 4; ++i)
            sum += std::abs(int(p[i]) - int(q[i]));
    }
    return sum / (double(x.width()) * x.height() * 4);
}

// The live view's second new stylized frame from now (the first may have been in flight
// before a settings change; a new size plays unstylized while its plan is prepared).
inline QImage nextStylizedFrame(const ui::LiveView* view, int timeoutMs = 60000)
{
    QElapsedTimer t;
    t.start();
    int seen = 0;
    QImage last = view->stylizedFrame();
    while (t.elapsed() < timeoutMs && seen < 2) {
        QTest::qWait(50);
        const QImage now = view->stylizedFrame();
        if (now.cacheKey() != last.cacheKey() && view->showsStylizedFrame()) {
            last = now;
            ++seen;
        }
    }
    return last;
}

}  // namespace stylize::test
