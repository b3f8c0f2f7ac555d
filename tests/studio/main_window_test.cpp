// The desktop window end to end, offscreen: live frames from the test pattern, picking
// and blending styles, the strength slider, recording 2 s (the file plays), export
// through the dialog (and a cancelled one), and a corrupt file (message, app alive).
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include "blend_panel.h"
#include "export_dialog.h"
#include "live_view.h"
#include "main_window.h"
#include "message_bar.h"
#include "model/loaders.h"
#include "source_bar.h"
#include "studio/studio_controller.h"
#include "style_gallery.h"

using namespace stylize;

namespace {

// A two-style pack from the tiny test network: slot 1 has other IN parameters, and the
// output mapping spreads its small outputs over visible grey levels.
QString makeTwoStylePack(const QString& folder)
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

double meanAbsDiff(const QImage& a, const QImage& b)
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

bool playsCleanly(const QString& file, int* frames)
{
    QProcess probe;
    probe.start("ffprobe", {"-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                            "stream=nb_read_frames", "-of", "default=nw=1:nk=1", file});
    probe.waitForFinished(60000);
    *frames = probe.readAllStandardOutput().trimmed().toInt();
    QProcess play;
    play.start("ffmpeg", {"-v", "error", "-i", file, "-f", "null", "-"});
    play.waitForFinished(60000);
    const QByteArray errors = play.readAllStandardError().trimmed();
    if (!errors.isEmpty())
        qWarning("ffmpeg reading %s: %s", qPrintable(file), errors.left(2000).constData());
    return play.exitCode() == 0 && errors.isEmpty();
}

}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<ui::MainWindow> window_;
    QString pack_, clip_, still_;

    QImage nextFrame(int timeoutMs = 60000)
    {
        QSignalSpy spy(window_->liveView(), &ui::LiveView::splitMoved);  // any event loop turn
        const QImage before = window_->liveView()->stylizedFrame();
        QElapsedTimer t;
        t.start();
        // Two new stylized frames: the first may have been in flight before a settings
        // change (and a new size plays unstylized while its plan is prepared).
        int seen = 0;
        QImage last = before;
        while (t.elapsed() < timeoutMs && seen < 2) {
            QTest::qWait(50);
            const QImage now = window_->liveView()->stylizedFrame();
            if (now.cacheKey() != last.cacheKey() && window_->liveView()->showsStylizedFrame()) {
                last = now;
                ++seen;
            }
        }
        return last;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        pack_ = makeTwoStylePack(dir_.path());
        still_ = QStringLiteral(STYLIZE_SOURCE_DIR "/resources/samples/coffee.jpg");
        clip_ = dir_.filePath("clip.mp4");
        QProcess ff;
        ff.start("ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=128x96:rate=15:duration=2", "-f",
                            "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                            "-c:a", "aac", "-shortest", clip_});
        QVERIFY(ff.waitForFinished(60000));
        QCOMPARE(ff.exitCode(), 0);

        studio::StudioConfig config;
        config.modelFiles = {pack_};
        config.sampleClip = clip_;
        config.sampleImage = still_;
        config.targetFps = 30;
        window_ = std::make_unique<ui::MainWindow>(config);
        window_->show();
        window_->start(studio::SourceSpec{studio::SourceKind::TestPattern,
                                          "testsrc2=size=160x120:rate=30", "Test pattern"});
    }

    void showsLiveFramesFromTestPattern()
    {
        // The first frame waits for pipeline compiles (tens of seconds on a cold CPU driver).
        // Meanwhile the source plays unstylized: frames first, stylized ones later.
        QTRY_VERIFY_WITH_TIMEOUT(!window_->liveView()->stylizedFrame().isNull(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(window_->liveView()->showsStylizedFrame(), 180000);
        const QImage a = nextFrame();
        const QImage b = nextFrame();
        QVERIFY(!a.isNull() && !b.isNull());
        QVERIFY2(meanAbsDiff(a, b) > 0.1, "consecutive live frames are identical: the view is not moving");
        QCOMPARE(window_->gallery()->cardCount(), 2);
    }

    void pickAndBlendStyles()
    {
        window_->openFile(still_);  // a still source makes frames comparable
        nextFrame();
        window_->gallery()->selectOnly(0);
        const QImage first = nextFrame();
        window_->gallery()->selectOnly(1);
        const QImage second = nextFrame();
        QVERIFY2(meanAbsDiff(first, second) > 2.0, "the two styles render the same");
        // Both, then move the first weight: the blend panel shows two normalized rows.
        window_->gallery()->setSelectedIds({window_->gallery()->idAt(0), window_->gallery()->idAt(1)});
        QVERIFY(window_->blendPanel()->weightSlider(1) != nullptr);
        window_->blendPanel()->weightSlider(0)->setValue(50);
        window_->blendPanel()->weightSlider(1)->setValue(50);
        const QImage mixed = nextFrame();
        const double toFirst = meanAbsDiff(mixed, first), toSecond = meanAbsDiff(mixed, second);
        const double apart = meanAbsDiff(first, second);
        QVERIFY2(toFirst < apart && toSecond < apart, "a 50/50 blend should lie between the two styles");
    }

    void keyboardPicksAndBlendsStyles()
    {
        window_->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window_.get()));
        const QString first = window_->gallery()->idAt(0), second = window_->gallery()->idAt(1);
        QTest::keyClick(window_.get(), Qt::Key_1);
        QCOMPARE(window_->gallery()->selectedIds(), QStringList{first});
        QTest::keyClick(window_.get(), Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window_->gallery()->selectedIds(), (QStringList{first, second}));
        QVERIFY(window_->blendPanel()->weightSlider(1) != nullptr);
        QTest::keyClick(window_.get(), Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(window_->gallery()->selectedIds(), QStringList{second});
        QTest::keyClick(window_.get(), Qt::Key_E, Qt::ControlModifier);
        QTRY_VERIFY(window_->exportDialog()->isVisible());
        window_->exportDialog()->hide();
        QTest::keyClick(window_.get(), Qt::Key_1);
        QCOMPARE(window_->gallery()->selectedIds(), QStringList{first});
    }

    void strengthZeroShowsOriginal()
    {
        window_->blendPanel()->strengthSlider()->setValue(0);
        const QImage plain = nextFrame();
        const QImage original = QImage(still_).convertToFormat(QImage::Format_RGBA8888).scaled(plain.size());
        const double diff = meanAbsDiff(plain, original);
        if (diff >= 3.0) {  // say what the following frames show, to tell latency from a wrong image
            QString later;
            for (int i = 0; i < 4; ++i)
                later += QString(" %1").arg(meanAbsDiff(nextFrame(), original), 0, 'f', 2);
            qWarning("strength 0: frame differs from the original by %.2f; the next frames by%s", diff,
                     qPrintable(later));
        }
        QVERIFY2(diff < 3.0, "strength 0 should show the original frame");
        window_->blendPanel()->strengthSlider()->setValue(100);
        window_->blendPanel()->keepColoursBox()->setChecked(true);
        QVERIFY(meanAbsDiff(nextFrame(), plain) > 1.0);
        window_->blendPanel()->keepColoursBox()->setChecked(false);
    }

    void recordsTwoSecondsThatPlay()
    {
        window_->sourceBar()->sourceChosen({studio::SourceKind::TestPattern, "testsrc2=size=160x120:rate=30", "Test pattern"});
        nextFrame();
        QVERIFY(!window_->recording());
        window_->toggleRecording();
        QTRY_VERIFY_WITH_TIMEOUT(window_->recording(), 10000);
        QTest::qWait(2000);
        window_->toggleRecording();
        QTRY_VERIFY_WITH_TIMEOUT(!window_->recording(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(window_->messageBar()->text().contains("Recording saved"), 10000);
        const QString path = window_->messageBar()->text().section("Recording saved to ", 1).trimmed();
        int frames = 0;
        QVERIFY2(playsCleanly(path, &frames), qPrintable(path));
        QVERIFY2(frames >= 5, qPrintable(QString("only %1 frames recorded").arg(frames)));
    }

    void exportsThroughDialogAndCancelsAnother()
    {
        ui::ExportDialog* dialog = window_->exportDialog();
        dialog->show();
        dialog->setInput(clip_);
        const QString out = dir_.filePath("exported.mp4");
        dialog->setOutput(out);
        dialog->startButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->running(), 300000);
        QVERIFY2(dialog->statusLabel()->text().startsWith("Exported"), qPrintable(dialog->statusLabel()->text()));
        int frames = 0;
        QVERIFY(playsCleanly(out, &frames));
        QCOMPARE(frames, 30);

        const QString second = dir_.filePath("cancelled.mp4");
        dialog->setOutput(second);
        dialog->startButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(dialog->progressBar()->value() > 0 || !dialog->running(), 120000);
        if (dialog->running())
            dialog->cancelButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->running(), 120000);
        const QString status = dialog->statusLabel()->text();
        QVERIFY2(status.contains("cancelled") || status.startsWith("Exported"), qPrintable(status));
    }

    void corruptFileShowsMessageAndStaysAlive()
    {
        const QString corrupt = dir_.filePath("corrupt.mp4");
        QFile f(corrupt);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, '\x42'));
        f.close();
        window_->openFile(corrupt);
        QTRY_VERIFY_WITH_TIMEOUT(window_->messageBar()->isVisible() &&
                                     window_->messageBar()->text().contains("corrupt.mp4"),
                                 30000);
        // Still alive: choosing the test pattern brings frames again.
        window_->sourceBar()->sourceChosen({studio::SourceKind::TestPattern, "testsrc2=size=160x120:rate=30", "Test pattern"});
        QVERIFY(!nextFrame().isNull());
    }

    void cleanupTestCase() { window_.reset(); }
};

int main(int argc, char** argv)
{
    // Settings and caches of the test stay in a throw-away folder.
    QTemporaryDir home;
    qputenv("XDG_CONFIG_HOME", home.filePath("config").toUtf8());
    qputenv("XDG_CACHE_HOME", home.filePath("cache").toUtf8());
    qputenv("HOME", home.path().toUtf8());
    QApplication app(argc, argv);
    QApplication::setOrganizationName("StylizeTest");
    QApplication::setApplicationName("StylizeTest");
    MainWindowTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "main_window_test.moc"
