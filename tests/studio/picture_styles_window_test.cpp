// Pictures as styles in the desktop window, offscreen: without Magenta's model the
// action says what to import; once imported, a picture (added, or dropped on the gallery)
// becomes a card that paints the live view at once; a picture card can be removed; and
// the pictures come back at the next start from the vector cache, even once the picture
// file has moved away.
#include <QAbstractButton>
#include <QApplication>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QTemporaryDir>
#include <QtTest>

#include "main_window.h"
#include "message_bar.h"
#include "studio/picture_style_set.h"
#include "studio/studio_controller.h"
#include "style_gallery.h"
#include "window_test_support.h"

using namespace stylize;

class PictureStylesWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<ui::MainWindow> window_;
    studio::StudioConfig config_;
    QString magenta_, painting_, secondPicture_;

    void openWindow()
    {
        window_ = std::make_unique<ui::MainWindow>(config_);
        window_->show();
        window_->start(
            studio::SourceSpec{studio::SourceKind::TestPattern, "testsrc2=size=96x72:rate=30", "Test pattern"});
    }
    QImage nextFrame(int timeoutMs = 120000) { return test::nextStylizedFrame(window_->liveView(), timeoutMs); }
    int pictureCards() const
    {
        int n = 0;
        for (int i = 0; i < window_->gallery()->cardCount(); ++i)
            n += window_->gallery()->idAt(i).startsWith("picture:");
        return n;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        magenta_ = QStringLiteral(STYLIZE_SHARED_DIR "/fixtures/models/magenta-arbitrary");
        if (!studio::PictureStyleSet::isModelFolder(magenta_))
            QSKIP(qPrintable("Magenta's arbitrary-style model is not at " + magenta_));
        // Copies, so the test can move one away before the restart.
        painting_ = dir_.filePath("great-wave.png");
        secondPicture_ = dir_.filePath("starry-night.jpg");
        QVERIFY(QFile::copy(STYLIZE_SHARED_DIR "/training/styles/GreatWave.png", painting_));
        QVERIFY(QFile::copy(STYLIZE_SHARED_DIR "/training/styles/starry_night.jpg", secondPicture_));
        config_.modelFiles = {test::makeTwoStylePack(dir_.path())};
        config_.sampleImage = QStringLiteral(STYLIZE_SOURCE_DIR "/resources/samples/coffee.jpg");
        config_.previewCache = dir_.filePath("cache");
        config_.targetFps = 30;
        openWindow();
        QTRY_VERIFY_WITH_TIMEOUT(window_->liveView()->showsStylizedFrame(),
                                 420000);  // cold compiles; ~280 s under TSan
        QCOMPARE(window_->gallery()->cardCount(), 2);
    }

    void withoutTheModelTheActionSaysWhatToImport()
    {
        auto* add = window_->gallery()->findChild<QPushButton*>("addPictureButton");
        QVERIFY(add);
        add->click();  // no file dialog: the sentence instead
        QTRY_VERIFY(window_->messageBar()->isVisible());
        const QString text = window_->messageBar()->text();
        QVERIFY2(text.contains("Magenta") && text.contains("Import model") && text.contains("style_transfer"),
                 qPrintable(text));
        window_->addPictureStyles({painting_});  // a drop says the same
        QVERIFY(window_->messageBar()->text().contains("Import model"));
        QCOMPARE(window_->gallery()->cardCount(), 2);
    }

    void anAddedPictureBecomesACardThatPaintsAtOnce()
    {
        const QImage packStyle = nextFrame();
        window_->importModelPath(magenta_ + "/style_transfer_f16_384.tflite");  // as chosen in the dialog
        QTest::qWait(500);
        // A short window: the gallery shows one row, and the new card is below it.
        const QSize size = window_->size();
        window_->resize(size.width(), 480);
        window_->addPictureStyles({painting_});
        QTRY_COMPARE_WITH_TIMEOUT(window_->gallery()->cardCount(), 3, 30000);
        const QString id = studio::PictureStyleSet::idFor(painting_);
        QCOMPARE(window_->gallery()->idAt(2), id);
        QTRY_COMPARE_WITH_TIMEOUT(window_->gallery()->selectedIds(), QStringList{id}, 10000);
        QAbstractButton* card = nullptr;
        for (QAbstractButton* b : window_->gallery()->findChildren<QAbstractButton*>())
            if (b->accessibleName() == "great-wave")
                card = b;
        QVERIFY(card);
        // All of it in view, or as much as the gallery's viewport holds.
        const QWidget* viewport = window_->gallery()->findChild<QScrollArea*>()->viewport();
        QTRY_VERIFY2(card->visibleRegion().boundingRect().height() >= std::min(card->height(), viewport->height() - 16),
                     qPrintable(QString("the gallery did not scroll to the new picture's card: %1 px of its %2 in "
                                        "view (viewport %3)")
                                    .arg(card->visibleRegion().boundingRect().height())
                                    .arg(card->height())
                                    .arg(viewport->height())));
        window_->resize(size);
        const QImage painted = nextFrame(180000);
        QVERIFY(!painted.isNull());
        QVERIFY2(test::meanAbsDiff(painted, packStyle) > 5.0, "the picture style paints like the pack's style");
    }

    void aDroppedPictureBecomesACardToo()
    {
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(secondPicture_), QUrl::fromLocalFile(dir_.filePath("cache"))});
        QCOMPARE(ui::StyleGallery::droppedPictures(&mime), QStringList{secondPicture_});  // the folder is no picture
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_->gallery(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_->gallery(), &drop);
        QTRY_COMPARE_WITH_TIMEOUT(pictureCards(), 2, 30000);
        // Two pictures blend like any two styles of one model.
        const QString first = window_->gallery()->idAt(2), second = window_->gallery()->idAt(3);
        const QImage starry = nextFrame();
        window_->gallery()->setSelectedIds({first, second});
        const QImage both = nextFrame();
        window_->gallery()->selectOnly(2);
        const QImage wave = nextFrame();
        const double apart = test::meanAbsDiff(wave, starry);
        QVERIFY2(apart > 3.0, "two pictures paint the same");
        QVERIFY2(test::meanAbsDiff(both, wave) < apart && test::meanAbsDiff(both, starry) < apart,
                 "a blend of two pictures should lie between them");
    }

    void aPictureCardCanBeRemoved()
    {
        const QString starry = window_->gallery()->idAt(3);
        emit window_->gallery()->removePictureRequested(starry);
        QTRY_COMPARE_WITH_TIMEOUT(pictureCards(), 1, 10000);
        emit window_->gallery()->removePictureRequested(starry);  // twice: nothing happens
        QTest::qWait(200);
        QCOMPARE(pictureCards(), 1);
    }

    void picturesAreRememberedAcrossRestarts()
    {
        window_.reset();
        // The vector and the thumbnail are cached: the card comes back without the file.
        QVERIFY(QFile::rename(painting_, painting_ + ".moved"));
        openWindow();
        QTRY_COMPARE_WITH_TIMEOUT(window_->gallery()->cardCount(), 3, 60000);
        QCOMPARE(pictureCards(), 1);
        QCOMPARE(window_->gallery()->idAt(2), studio::PictureStyleSet::idFor(painting_));
        QTRY_VERIFY_WITH_TIMEOUT(window_->liveView()->showsStylizedFrame(),
                                 420000);  // cold compiles; ~280 s under TSan
        QVERIFY(!nextFrame().isNull());
    }

    void cleanupTestCase() { window_.reset(); }
};

int main(int argc, char** argv)
{
    QTemporaryDir home;  // settings of the test stay in a throw-away folder
    qputenv("XDG_CONFIG_HOME", home.filePath("config").toUtf8());
    qputenv("XDG_CACHE_HOME", home.filePath("cache").toUtf8());
    qputenv("HOME", home.path().toUtf8());
    QApplication app(argc, argv);
    QApplication::setOrganizationName("StylizeTest");
    QApplication::setApplicationName("StylizePictureTest");
    PictureStylesWindowTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "picture_styles_window_test.moc"
