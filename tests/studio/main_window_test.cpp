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

#include "app_settings.h"
#include "blend_panel.h"
#include "frame_pixels.h"
#include "export_dialog.h"
#include "live_view.h"
#include "main_window.h"
#include "message_bar.h"
#include "source_bar.h"
#include "studio/studio_controller.h"
#include "style_gallery.h"
#include "window_test_support.h"

using namespace stylize;

namespace {

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

    QImage nextFrame(int timeoutMs = 60000) { return test::nextStylizedFrame(window_->liveView(), timeoutMs); }
    static double meanLuma(const QImage& image)
    {
        const QImage x = image.convertToFormat(QImage::Format_RGBA8888);  // rows of width * 4 bytes
        return render::meanLuma({x.constBits(), x.width(), x.height()});
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        pack_ = test::makeTwoStylePack(dir_.path());
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
        QTRY_VERIFY_WITH_TIMEOUT(window_->liveView()->showsStylizedFrame(), 420000);  // cold compiles: minutes under ASan
        const QImage a = nextFrame();
        const QImage b = nextFrame();
        QVERIFY(!a.isNull() && !b.isNull());
        QVERIFY2(test::meanAbsDiff(a, b) > 0.1, "consecutive live frames are identical: the view is not moving");
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
        QVERIFY2(test::meanAbsDiff(first, second) > 2.0, "the two styles render the same");
        // Both, then move the first weight: the blend panel shows two normalized rows.
        window_->gallery()->setSelectedIds({window_->gallery()->idAt(0), window_->gallery()->idAt(1)});
        QVERIFY(window_->blendPanel()->weightSlider(1) != nullptr);
        window_->blendPanel()->weightSlider(0)->setValue(50);
        window_->blendPanel()->weightSlider(1)->setValue(50);
        const QImage mixed = nextFrame();
        const double toFirst = test::meanAbsDiff(mixed, first), toSecond = test::meanAbsDiff(mixed, second);
        const double apart = test::meanAbsDiff(first, second);
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
        // 0 is the tenth style, as on the keyboard's row; with fewer styles it changes nothing.
        QTest::keyClick(window_.get(), Qt::Key_0);
        QCOMPARE(window_->gallery()->selectedIds(),
                 QStringList{window_->gallery()->cardCount() >= 10 ? window_->gallery()->idAt(9) : first});
        // Page Down / Up step along the cards and round the ends (past the tenth: style_gallery).
        const int cards = window_->gallery()->cardCount();
        QTest::keyClick(window_.get(), Qt::Key_1);
        QTest::keyClick(window_.get(), Qt::Key_PageDown);
        QCOMPARE(window_->gallery()->selectedIds(), QStringList{second});
        QTest::keyClick(window_.get(), Qt::Key_PageUp);
        QTest::keyClick(window_.get(), Qt::Key_PageUp);
        QCOMPARE(window_->gallery()->selectedIds(), QStringList{window_->gallery()->idAt(cards - 1)});
        QTest::keyClick(window_.get(), Qt::Key_PageDown);
        QCOMPARE(window_->gallery()->selectedIds(), QStringList{first});
    }

    void strengthZeroShowsOriginal()
    {
        window_->blendPanel()->strengthSlider()->setValue(0);
        const QImage plain = nextFrame();
        const QImage original = QImage(still_).convertToFormat(QImage::Format_RGBA8888).scaled(plain.size());
        const double diff = test::meanAbsDiff(plain, original);
        if (diff >= 3.0) {  // say what the following frames show, to tell latency from a wrong image
            QString later;
            for (int i = 0; i < 4; ++i)
                later += QString(" %1").arg(test::meanAbsDiff(nextFrame(), original), 0, 'f', 2);
            qWarning("strength 0: frame differs from the original by %.2f; the next frames by%s", diff,
                     qPrintable(later));
        }
        QVERIFY2(diff < 3.0, "strength 0 should show the original frame");
        window_->blendPanel()->strengthSlider()->setValue(100);
        window_->blendPanel()->keepColoursBox()->setChecked(true);
        QVERIFY(test::meanAbsDiff(nextFrame(), plain) > 1.0);
        window_->blendPanel()->keepColoursBox()->setChecked(false);
    }

    void sceneLightKeepsANightSceneDark()
    {
        // Static bars at a quarter of their brightness: a dim scene the style paints bright.
        window_->sourceBar()->sourceChosen(
            {studio::SourceKind::TestPattern, "smptebars=size=160x120:rate=30,lutyuv=y=val/4", "Dim bars"});
        const QImage painted = nextFrame();
        ui::BlendPanel* panel = window_->blendPanel();
        panel->strengthSlider()->setValue(0);
        const double scene = meanLuma(nextFrame());
        panel->strengthSlider()->setValue(100);
        panel->sceneLightSlider()->setValue(100);
        QCOMPARE(panel->settings().sceneLight, 1.0);
        const double lit = meanLuma(nextFrame());
        panel->sceneLightSlider()->setValue(0);
        QVERIFY2(meanLuma(painted) > scene + 20,
                 qPrintable(QString("painted %1, scene %2").arg(meanLuma(painted)).arg(scene)));
        QVERIFY2(std::abs(lit - scene) < 3.0,
                 qPrintable(QString("scene light 100%: %1, scene %2").arg(lit).arg(scene)));
    }

    void steadyCalmsANoisyStillScene()
    {
        // Still bars under fresh noise every frame: a style repaints the noise as strokes
        // that flicker; Steady keeps the still scene's strokes.
        window_->sourceBar()->sourceChosen(
            {studio::SourceKind::TestPattern, "smptebars=size=160x120:rate=30,noise=alls=5:allf=t", "Noisy bars"});
        ui::BlendPanel* panel = window_->blendPanel();
        panel->brushBox()->setCurrentIndex(panel->brushBox()->findData(100));  // one size: no new plan between frames
        panel->steadySlider()->setValue(0);
        nextFrame();
        const auto flicker = [&] {
            QImage last = nextFrame();
            double sum = 0;
            for (int i = 0; i < 3; ++i) {
                const QImage next = nextFrame();
                sum += test::meanAbsDiff(last, next);
                last = next;
            }
            return sum / 3;
        };
        const double plain = flicker();
        panel->steadySlider()->setValue(100);
        QCOMPARE(panel->settings().steady, 1.0);
        nextFrame();
        const double steady = flicker();
        panel->steadySlider()->setValue(int(std::lround(ui::AppSettings::kFirstStartSteady * 100)));
        panel->brushBox()->setCurrentIndex(0);
        qInfo("frame-to-frame change of the painted noisy bars: %.2f plain, %.2f steady", plain, steady);
        QVERIFY2(steady < 0.6 * plain, qPrintable(QString("frame-to-frame change: steady %1, plain %2").arg(steady).arg(plain)));
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
